package io.switchboard.bench;

import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

import static io.switchboard.bench.ResumeBench.await;
import static io.switchboard.bench.ResumeBench.ms;
import static io.switchboard.bench.ResumeBench.quantile;
import static io.switchboard.bench.ResumeBench.sleep;
import static io.switchboard.bench.ResumeBench.token;

/**
 * Kill to resume, one client at a time. Three nodes: A (slot 0) holds alice, B (slot 1) holds bob, C (slot 2)
 * holds carol, all in one room; bob and carol each send alice a numbered message every {@link #SEND_EVERY_MS} ms.
 * A gets SIGKILL; alice's close handler (the RST arrives at once) reconnects to B with her resume token straight
 * away. Times from the SIGKILL: alice sees her socket close, {@code welcome} with {@code resumed:true}, the first
 * frame from bob and from carol on the new socket, and B and C log that A left. A is replaced by a new node before
 * the next try.
 */
final class KillToResume {

  static final long SEND_EVERY_MS = 10;
  private static final long WAIT_MS = 8000;

  private KillToResume() {
  }

  /** One try's figures, milliseconds after the SIGKILL (NaN: did not happen within {@link #WAIT_MS}). */
  record Try(double closeSeen, double welcome, boolean resumed, int peers, double firstFromBob,
             double firstFromCarol, double firstSentBob, double firstSentCarol, int lostBob, int lostCarol,
             boolean inOrder, double detectB, double detectC, int peerFrames) {

    String line() {
      return "close_seen_ms=" + ms(closeSeen) + " welcome_ms=" + ms(welcome) + " resumed=" + resumed
        + " peers=" + peers + " first_from_bob_ms=" + ms(firstFromBob) + " first_from_carol_ms=" + ms(firstFromCarol)
        + " first_delivered_sent_bob_ms=" + ms(firstSentBob) + " first_delivered_sent_carol_ms=" + ms(firstSentCarol)
        + " lost_bob=" + lostBob + " lost_carol=" + lostCarol + " in_order=" + inOrder
        + " b_logs_loss_ms=" + ms(detectB) + " c_logs_loss_ms=" + ms(detectC) + " frames_to_peers=" + peerFrames;
    }
  }

  static void run(Vertx vertx, WebSocketClient client, int tries, int warmups) {
    try (BenchCluster cluster = BenchCluster.start(3, ResumeBench.RAISED_LIMITS, ResumeBench.nodeCores())) {
      List<Try> results = new ArrayList<>();
      for (int t = -warmups; t < tries; t++) {
        Try one = once(vertx, client, cluster);
        ResumeBench.report((t < 0 ? "warmup " : "try " + t + " ") + one.line() + " load=" + ResumeBench.loadAverage());
        if (t >= 0) {
          results.add(one);
        }
        cluster.replace(0);
      }
      summary(results);
      ResumeBench.printProblems(cluster);
    }
  }

  private static final class Receiver {
    /** Per sender: the last number received on the socket that died. */
    final Map<String, Integer> lastOld = new ConcurrentHashMap<>();
    /** Per sender: the first number received on the resumed socket, its receive time and its send time. */
    final Map<String, long[]> firstNew = new ConcurrentHashMap<>();
    final Map<String, Integer> lastNew = new ConcurrentHashMap<>();
    volatile boolean ordered = true;

    void onOld(JsonObject frame) {
      JsonObject data = data(frame);
      if (data != null) {
        lastOld.put(data.getString("s"), data.getInteger("n"));
      }
    }

    void onNew(JsonObject frame) {
      JsonObject data = data(frame);
      if (data == null) {
        return;
      }
      String sender = data.getString("s");
      int n = data.getInteger("n");
      firstNew.putIfAbsent(sender, new long[] {System.nanoTime(), data.getLong("t"), n});
      Integer last = lastNew.put(sender, n);
      if (last != null && n != last + 1) {
        ordered = false;
      }
    }

    private static JsonObject data(JsonObject frame) {
      return "message".equals(frame.getString("type")) ? frame.getJsonObject("data") : null;
    }
  }

  private static Try result(Receiver receiver, BenchClient alice, BenchClient back, long t0, long closeSeen,
                            long wall, BenchCluster cluster, int peerFrames) {
    NodeProcess a = cluster.node(0);
    return new Try(
      closeSeen == 0 ? Double.NaN : (closeSeen - t0) / 1e6,
      back == null ? Double.NaN : (back.welcomeNanos() - t0) / 1e6,
      back != null && back.resumed() && back.id().equals(alice.id()),
      back == null ? -1 : back.welcome().getJsonArray("peers").size(),
      receivedMs(receiver, "bob", t0), receivedMs(receiver, "carol", t0),
      sentMs(receiver, "bob", t0), sentMs(receiver, "carol", t0),
      lost(receiver, "bob"), lost(receiver, "carol"), receiver.ordered,
      detected(cluster.node(1), a, wall), detected(cluster.node(2), a, wall), peerFrames);
  }

  private static Try once(Vertx vertx, WebSocketClient client, BenchCluster cluster) {
    NodeProcess a = cluster.node(0);
    NodeProcess b = cluster.node(1);
    NodeProcess c = cluster.node(2);
    String room = TestNode.unique("room");
    String aliceToken = token("alice", room);
    Receiver receiver = new Receiver();
    AtomicInteger peerFrames = new AtomicInteger();
    AtomicReference<BenchClient> resumed = new AtomicReference<>();
    long[] killedAt = {0};
    long[] closeSeen = {0};
    AtomicReference<BenchClient> first = new AtomicReference<>();

    BenchClient alice = await(BenchClient.open(client, a.port(), aliceToken, null, receiver::onOld, closed -> {
      if (killedAt[0] == 0) {
        return;
      }
      closeSeen[0] = System.nanoTime();
      BenchClient.open(client, b.port(), aliceToken, first.get().resumeToken(), receiver::onNew, null)
        .onSuccess(resumed::set);
    }), 10);
    first.set(alice);
    BenchClient bob = await(BenchClient.open(client, b.port(), token("bob", room), null,
      f -> peerFrames.incrementAndGet(), null), 10);
    BenchClient carol = await(BenchClient.open(client, c.port(), token("carol", room), null,
      f -> peerFrames.incrementAndGet(), null), 10);
    sleep(300); // presence settles: alice has heard of both
    peerFrames.set(0);

    AtomicInteger sequence = new AtomicInteger();
    long timer = vertx.setPeriodic(SEND_EVERY_MS, id -> {
      int n = sequence.getAndIncrement();
      bob.send(message(alice.id(), "bob", n));
      carol.send(message(alice.id(), "carol", n));
    });
    sleep(500);
    if (receiver.lastOld.size() < 2) {
      throw new IllegalStateException("alice receives nothing before the kill");
    }
    long wall = System.currentTimeMillis();
    killedAt[0] = System.nanoTime();
    cluster.kill(0);

    long deadline = killedAt[0] + WAIT_MS * 1_000_000;
    while (System.nanoTime() < deadline && (resumed.get() == null || receiver.firstNew.size() < 2)) {
      sleep(5);
    }
    sleep(200);
    vertx.cancelTimer(timer);
    BenchClient back = resumed.get();
    Try result = result(receiver, alice, back, killedAt[0], closeSeen[0], wall, cluster, peerFrames.get());
    if (back != null) {
      back.leave();
    }
    bob.leave();
    carol.leave();
    sleep(300);
    return result;
  }

  private static JsonObject message(String to, String sender, int n) {
    return new JsonObject().put("type", "message").put("to", to)
      .put("data", new JsonObject().put("s", sender).put("n", n).put("t", System.nanoTime()));
  }

  private static double receivedMs(Receiver receiver, String sender, long t0) {
    long[] first = receiver.firstNew.get(sender);
    return first == null ? Double.NaN : (first[0] - t0) / 1e6;
  }

  private static double sentMs(Receiver receiver, String sender, long t0) {
    long[] first = receiver.firstNew.get(sender);
    return first == null ? Double.NaN : (first[1] - t0) / 1e6;
  }

  private static int lost(Receiver receiver, String sender) {
    long[] first = receiver.firstNew.get(sender);
    Integer last = receiver.lastOld.get(sender);
    return first == null || last == null ? -1 : (int) first[2] - last - 1;
  }

  private static double detected(NodeProcess observer, NodeProcess lost, long killedWall) {
    long at = BenchCluster.logTime(observer, "cluster member " + lost.nodeId() + " left");
    return at < 0 ? Double.NaN : at - killedWall;
  }

  private static void summary(List<Try> results) {
    int resumed = (int) results.stream().filter(Try::resumed).count();
    int ordered = (int) results.stream().filter(Try::inOrder).count();
    StringBuilder line = new StringBuilder("kill tries=" + results.size() + " resumed=" + resumed
      + " in_order=" + ordered);
    stat(line, "close_seen", results, Try::closeSeen);
    stat(line, "welcome", results, Try::welcome);
    stat(line, "first_from_bob", results, Try::firstFromBob);
    stat(line, "first_from_carol", results, Try::firstFromCarol);
    stat(line, "first_delivered_sent_bob", results, Try::firstSentBob);
    stat(line, "first_delivered_sent_carol", results, Try::firstSentCarol);
    stat(line, "b_logs_loss", results, Try::detectB);
    stat(line, "c_logs_loss", results, Try::detectC);
    stat(line, "lost_bob", results, t -> t.lostBob());
    stat(line, "lost_carol", results, t -> t.lostCarol());
    ResumeBench.report(line.toString());
  }

  private static void stat(StringBuilder line, String name, List<Try> results, ToDoubleFunction<Try> value) {
    double[] values = results.stream().mapToDouble(value)
      .filter(v -> !Double.isNaN(v)).sorted().toArray();
    line.append(' ').append(name).append("_p50=").append(ms(quantile(values, 0.5)))
      .append(' ').append(name).append("_p99=").append(ms(quantile(values, 0.99)))
      .append(' ').append(name).append("_max=").append(ms(values.length == 0 ? Double.NaN : values[values.length - 1]));
    if (values.length < results.size()) {
      line.append(' ').append(name).append("_missing=").append(results.size() - values.length);
    }
  }
}
