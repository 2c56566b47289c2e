package io.switchboard.bench;

import io.switchboard.testing.Metrics;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.TestNode;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.switchboard.bench.ResumeBench.sleep;
import static io.switchboard.bench.ResumeBench.token;

/**
 * Heap held per session in its grace period. One clustered node alone (rooms in the Hazelcast store, as on any
 * clustered node, but no backup copy: there is no other member), grace period 600 s. Rooms of {@link #ROOM_SIZE}
 * sessions plus one peer each. Live heap after a full GC ({@code jcmd GC.class_histogram}) with: only the peers
 * (H0); the N sessions connected (H1); the N sessions dropped without {@code leave}, waiting in their grace period
 * (H2); each then sent {@link #FRAMES} frames of about 1 KiB by its peer, kept in its grace buffer (H3). A warm-up
 * connects and leaves the same number of sessions first, so pools and caches are at their working size.
 *
 * <p>The totals leave out {@code int[]}: before it walks the heap the JVM fills every thread's unused allocation
 * buffer (TLAB) with {@code int[]} fillers, megabytes that come and go between two histograms. They are printed
 * apart.
 */
final class GraceMemory {

  static final int ROOM_SIZE = 10;
  static final int FRAMES = 10;
  /** With the relayed frame's envelope ({@code {"from":"<id>","type":"message","data":"..."}}), ~1 KiB. */
  private static final String PAYLOAD = "x".repeat(1024 - 60);
  private static final int CONNECTS_IN_FLIGHT = 50;

  private GraceMemory() {
  }

  static void run(WebSocketClient client, int n) {
    Map<String, String> env = new HashMap<>(ResumeBench.RAISED_LIMITS);
    env.put("SWITCHBOARD_ROOMS_GRACE_PERIOD_SECONDS", "600");
    try (BenchCluster cluster = BenchCluster.start(1, env, ResumeBench.nodeCores())) {
      NodeProcess node = cluster.node(0);
      Population warm = connect(client, node, n);
      warm.peersSend(1);
      sleep(1000);
      warm.leaveAll();
      sleep(2000);

      Population pop = new Population(client, node, n);
      pop.peers = ResumeBench.inBatches(pop.rooms, CONNECTS_IN_FLIGHT, r -> BenchClient.open(client, node.port(),
        token("peer", pop.prefix + "-" + r), null, null, null));
      sleep(1000);
      Map<String, Long> h0 = BenchCluster.histogram(node.pid());
      pop.connectSessions();
      sleep(1000);
      Map<String, Long> h1 = BenchCluster.histogram(node.pid());
      pop.sessions.forEach(BenchClient::close);
      double held = Metrics.awaitValue(() -> Metrics.value(node.port(), "switchboard_grace_sessions"), n, 30_000);
      if (held != n) {
        throw new IllegalStateException(held + " sessions in grace, not " + n);
      }
      sleep(500);
      Map<String, Long> h2 = BenchCluster.histogram(node.pid());
      pop.peersSend(FRAMES);
      double bytes = stable(node, "switchboard_grace_buffered_bytes");
      Map<String, Long> h3 = BenchCluster.histogram(node.pid());

      long base = live(h0);
      ResumeBench.report(String.format(Locale.ROOT, "memory sessions=%d rooms=%d heap_peers_only_mb=%.1f "
          + "heap_connected_mb=%.1f heap_grace_mb=%.1f heap_grace_buffered_mb=%.1f connected_b_per_session=%.0f "
          + "grace_b_per_session=%.0f "
          + "grace_buffered_b_per_session=%.0f buffered_frames_b_per_session=%.0f gauge_bytes_per_session=%.0f "
          + "frame_bytes=%.0f int_arrays_mb=%.1f/%.1f/%.1f/%.1f load=%s",
        n, pop.rooms, base / 1e6, live(h1) / 1e6, live(h2) / 1e6, live(h3) / 1e6,
        (live(h1) - base) / (double) n, (live(h2) - base) / (double) n, (live(h3) - base) / (double) n,
        (live(h3) - live(h2)) / (double) n, bytes / n, bytes / n / FRAMES, ints(h0) / 1e6, ints(h1) / 1e6,
        ints(h2) / 1e6, ints(h3) / 1e6, ResumeBench.loadAverage()));
      printDiff("peers only -> connected", h0, h1, n);
      printDiff("connected -> in grace", h1, h2, n);
      printDiff("peers only -> in grace", h0, h2, n);
      printDiff("in grace -> in grace with frames", h2, h3, n);
      ResumeBench.printProblems(cluster);
    }
  }

  private static long live(Map<String, Long> histogram) {
    return BenchCluster.liveBytes(histogram);
  }

  private static long ints(Map<String, Long> histogram) {
    return histogram.getOrDefault("[I", 0L);
  }

  private static Population connect(WebSocketClient client, NodeProcess node, int n) {
    Population pop = new Population(client, node, n);
    pop.peers = ResumeBench.inBatches(pop.rooms, CONNECTS_IN_FLIGHT, r -> BenchClient.open(client, node.port(),
      token("peer", pop.prefix + "-" + r), null, null, null));
    pop.connectSessions();
    return pop;
  }

  /** Polls a gauge until it stays the same for a second; returns it. */
  private static double stable(NodeProcess node, String series) {
    double last = -1;
    for (int i = 0; i < 60; i++) {
      sleep(1000);
      double now = Metrics.value(node.port(), series);
      if (now == last && now > 0) {
        return now;
      }
      last = now;
    }
    throw new IllegalStateException(series + " did not settle");
  }

  private static final class Population {
    final WebSocketClient client;
    final NodeProcess node;
    final int n;
    final int rooms;
    final String prefix = TestNode.unique("m");
    List<BenchClient> peers;
    List<BenchClient> sessions;

    Population(WebSocketClient client, NodeProcess node, int n) {
      this.client = client;
      this.node = node;
      this.n = n;
      this.rooms = (n + ROOM_SIZE - 1) / ROOM_SIZE;
    }

    void connectSessions() {
      sessions = ResumeBench.inBatches(n, CONNECTS_IN_FLIGHT, i -> BenchClient.open(client, node.port(),
        token("c" + i, prefix + "-" + i / ROOM_SIZE), null, null, null));
    }

    /** Each peer sends {@code count} frames to each session of its room. */
    void peersSend(int count) {
      for (int i = 0; i < n; i++) {
        BenchClient peer = peers.get(i / ROOM_SIZE);
        for (int k = 0; k < count; k++) {
          peer.send(new JsonObject().put("type", "message").put("to", sessions.get(i).id()).put("data", PAYLOAD));
        }
      }
    }

    void leaveAll() {
      sessions.forEach(BenchClient::leave);
      peers.forEach(BenchClient::leave);
    }
  }

  /** The classes whose live bytes changed most between two histograms, per session. */
  private static void printDiff(String label, Map<String, Long> before, Map<String, Long> after, int n) {
    Set<String> classes = new HashSet<>(before.keySet());
    classes.addAll(after.keySet());
    classes.remove("<total>");
    classes.remove("[I");
    StringBuilder line = new StringBuilder("diff " + label + " (bytes per session):");
    classes.stream()
      .map(c -> Map.entry(c, after.getOrDefault(c, 0L) - before.getOrDefault(c, 0L)))
      .filter(e -> Math.abs(e.getValue()) >= n * 8L)
      .sorted((x, y) -> Long.compare(Math.abs(y.getValue()), Math.abs(x.getValue())))
      .limit(14)
      .forEach(e -> line.append(String.format(Locale.ROOT, " %s=%+.0f", e.getKey(), e.getValue() / (double) n)));
    ResumeBench.report(line.toString());
  }
}
