package io.switchboard.bench;

import io.switchboard.testing.Metrics;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.TestNode;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.switchboard.bench.ResumeBench.ms;
import static io.switchboard.bench.ResumeBench.quantile;
import static io.switchboard.bench.ResumeBench.sleep;
import static io.switchboard.bench.ResumeBench.token;

/**
 * How fast one node takes over the sessions of a node that died. Two nodes: A (slot 0) holds N clients in rooms of
 * {@link #ROOM_SIZE}, B (slot 1) one peer per room. A gets SIGKILL, and every client reconnects to B with its resume
 * token, all at the same moment (no backoff, no jitter: the worst case), either
 *
 * <ul>
 *   <li>{@code at_once}: each from its close handler, as soon as it sees its socket reset, so the resumes reach B
 *   while the cluster is still detecting the loss; or</li>
 *   <li>{@code after_loss}: only once B has logged the loss, so what is timed is B taking the resumes alone.
 *   Between the two, B's live heap is read (before the kill and after the loss) for what it keeps for the lost
 *   node's sessions.</li>
 * </ul>
 *
 * Measured: the SIGKILL to each resumed {@code welcome}, the first reconnect to the last {@code welcome} (resumes per
 * second), and B's CPU time from /proc over that window, less its idle rate (per resume). Then every peer
 * broadcasts one message, which every resumed client must receive. A is replaced before the next run.
 */
final class AbsorbResumes {

  static final int ROOM_SIZE = 10;
  private static final int CONNECTS_IN_FLIGHT = 50;
  private static final long WAIT_MS = 60_000;

  private AbsorbResumes() {
  }

  static void run(WebSocketClient client, List<Integer> sizes, int warmup) {
    try (BenchCluster cluster = BenchCluster.start(2, ResumeBench.RAISED_LIMITS, ResumeBench.nodeCores())) {
      if (warmup > 0) {
        ResumeBench.report("warmup " + once(client, cluster, warmup, false));
        cluster.replace(0);
        ResumeBench.report("warmup " + once(client, cluster, warmup, true));
        cluster.replace(0);
      }
      for (int i = 0; i < sizes.size(); i++) {
        ResumeBench.report("absorb " + once(client, cluster, sizes.get(i), false));
        cluster.replace(0);
        ResumeBench.report("absorb " + once(client, cluster, sizes.get(i), true));
        if (i < sizes.size() - 1) {
          cluster.replace(0);
        }
      }
      ResumeBench.printProblems(cluster);
    }
  }

  /** The clients of one run and what happened to their resumes. */
  private static final class Run {
    final int n;
    final long[] welcomes;
    final AtomicInteger resumed = new AtomicInteger();
    final AtomicInteger fresh = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    final AtomicLong lastAt = new AtomicLong();
    final AtomicLong cpuAtLast = new AtomicLong();
    /** Counted down once the last resume is in and {@link #lastAt} and {@link #cpuAtLast} are set. */
    final CountDownLatch finished = new CountDownLatch(1);
    final List<BenchClient> back;
    final Set<Integer> checked = ConcurrentHashMap.newKeySet();
    final String check;
    final long bPid;

    Run(int n, String check, long bPid) {
      this.n = n;
      this.welcomes = new long[n];
      this.back = new ArrayList<>(Collections.nCopies(n, null));
      this.check = check;
      this.bPid = bPid;
    }

    /** Clients that got the peer's broadcast ({@link #checked} also holds -1-i for a direct message to i). */
    long delivered() {
      return checked.stream().filter(x -> x >= 0).count();
    }

    void resume(WebSocketClient client, int port, int i, String token, String resumeToken) {
      BenchClient.open(client, port, token, resumeToken, frame -> {
        if ("message".equals(frame.getString("type")) && check.equals(frame.getString("data"))) {
          checked.add(i);
        } else if ("message".equals(frame.getString("type")) && String.valueOf(frame.getString("data"))
          .startsWith("direct-")) {
          checked.add(-1 - i);
        }
      }, null).onComplete(ar -> {
        if (ar.succeeded()) {
          BenchClient c = ar.result();
          synchronized (back) {
            back.set(i, c);
          }
          welcomes[i] = c.welcomeNanos();
          (c.resumed() ? resumed : fresh).incrementAndGet();
        } else {
          failed.incrementAndGet();
        }
        if (done.incrementAndGet() == n) {
          lastAt.set(System.nanoTime());
          cpuAtLast.set(BenchCluster.cpuNanos(bPid));
          finished.countDown();
        }
      });
    }
  }

  private static String once(WebSocketClient client, BenchCluster cluster, int n, boolean afterLoss) {
    NodeProcess a = cluster.node(0);
    NodeProcess b = cluster.node(1);
    int rooms = (n + ROOM_SIZE - 1) / ROOM_SIZE;
    String prefix = TestNode.unique("r");
    String[] tokens = new String[n];
    for (int i = 0; i < n; i++) {
      tokens[i] = token("c" + i, prefix + "-" + i / ROOM_SIZE);
    }
    List<BenchClient> peers = ResumeBench.inBatches(rooms, CONNECTS_IN_FLIGHT, r -> BenchClient.open(client, b.port(),
      token("peer", prefix + "-" + r), null, null, null));
    Run run = new Run(n, "check-" + prefix, b.pid());
    AtomicLong killedAt = new AtomicLong();
    String[] resumeTokens = new String[n];
    List<BenchClient> clients = ResumeBench.inBatches(n, CONNECTS_IN_FLIGHT, i -> BenchClient.open(client, a.port(),
      tokens[i], null, null, closed -> {
        if (killedAt.get() != 0 && !afterLoss) {
          run.resume(client, b.port(), i, tokens[i], closed.resumeToken());
        }
      }));
    for (int i = 0; i < n; i++) {
      resumeTokens[i] = clients.get(i).resumeToken();
    }
    sleep(1000);
    long heapBefore = afterLoss ? BenchCluster.liveBytes(BenchCluster.histogram(b.pid())) : 0;
    sleep(500);
    long idleFrom = BenchCluster.cpuNanos(b.pid());
    long idleStart = System.nanoTime();
    sleep(2000);
    long cpuBefore = BenchCluster.cpuNanos(b.pid());
    double idleRate = (cpuBefore - idleFrom) / (double) (System.nanoTime() - idleStart); // CPU-ns per ns
    String loadBefore = ResumeBench.loadAverage();

    long wall = System.currentTimeMillis();
    killedAt.set(System.nanoTime());
    cluster.kill(0);
    long t0 = killedAt.get();
    Start started = afterLoss
      ? resumeAfterLoss(new Loss(client, a, b, run, tokens, resumeTokens, wall, t0, cpuBefore, idleRate, heapBefore))
      : new Start(t0, cpuBefore, "");
    long start = started.at();
    long cpuStart = started.cpu();
    String lossFigures = started.figures();
    boolean complete = awaitLatch(run.finished, start + WAIT_MS * 1_000_000 - System.nanoTime());
    long last = complete ? run.lastAt.get() : System.nanoTime();
    long cpuLast = complete ? run.cpuAtLast.get() : BenchCluster.cpuNanos(b.pid());
    sleep(3000);
    long cpuSettled = BenchCluster.cpuNanos(b.pid());
    long settledAt = System.nanoTime();

    broadcastCheck(run, peers);
    String missing = missed(run, b, peers, prefix);

    Timeline timeline = new Timeline(t0, start, last, cpuStart, cpuLast, settledAt, cpuSettled, idleRate);
    String line = resultLine(run, b, timeline, afterLoss, rooms) + lossFigures + " load=" + loadBefore + "/"
      + ResumeBench.loadAverage() + missing;

    leaveAll(run, peers);
    return line;
  }

  /** Nanosecond times of one run (kill, first resume, last welcome, settled) and B's CPU time at each. */
  private record Timeline(long killedAt, long start, long last, long cpuStart, long cpuLast, long settledAt,
                          long cpuSettled, double idleRate) {
  }

  private static String resultLine(Run run, NodeProcess b, Timeline t, boolean afterLoss, int rooms) {
    int n = run.welcomes.length;
    double[] latencies = Arrays.stream(run.welcomes).filter(w -> w != 0).mapToDouble(w -> (w - t.killedAt()) / 1e6)
      .sorted().toArray();
    double windowMs = (t.last() - t.start()) / 1e6;
    double cpuMs = (t.cpuLast() - t.cpuStart()) / 1e6 - t.idleRate() * windowMs;
    double cpuSettledMs = (t.cpuSettled() - t.cpuStart()) / 1e6 - t.idleRate() * (t.settledAt() - t.start()) / 1e6;
    return String.format(Locale.ROOT, "mode=%s sessions=%d rooms=%d resumed=%d fresh=%d failed=%d "
        + "start_ms=%s first_ms=%s p50_ms=%s p99_ms=%s all_ms=%s window_ms=%s resumes_per_s=%.0f b_cpu_ms=%s "
        + "b_cpu_us_per_resume=%.0f b_cpu_us_per_resume_settled=%.0f check_delivered=%d b_resumes_total=%s "
        + "b_handovers_timed_out=%s",
      afterLoss ? "after_loss" : "at_once", n, rooms, run.resumed.get(), run.fresh.get(), run.failed.get(),
      ms((t.start() - t.killedAt()) / 1e6), ms(latencies.length > 0 ? latencies[0] : Double.NaN),
      ms(quantile(latencies, 0.5)), ms(quantile(latencies, 0.99)), ms((t.last() - t.killedAt()) / 1e6),
      ms(windowMs), n / (windowMs / 1000), ms(cpuMs), cpuMs * 1000 / n, cpuSettledMs * 1000 / n, run.delivered(),
      metric(b, "switchboard_resumes_total"), metric(b, "switchboard_handovers_total{outcome=\"timed_out\"}"));
  }

  /** When the resumes started, B's CPU time then, and what the loss cost B. */
  private record Start(long at, long cpu, String figures) {
  }

  /** What {@link #resumeAfterLoss} needs of the run: the clients, B, and the figures taken before the kill. */
  private record Loss(WebSocketClient client, NodeProcess a, NodeProcess b, Run run, String[] tokens,
                      String[] resumeTokens, long wallAtKill, long killedAt, long cpuBefore, double idleRate,
                      long heapBefore) {
  }

  /** Waits until B logged the loss, measures what handling it cost B, then resumes every session at once. */
  private static Start resumeAfterLoss(Loss loss) {
    NodeProcess b = loss.b();
    String lossLine = "cluster member " + loss.a().nodeId() + " left";
    long lossDeadline = loss.killedAt() + 30_000_000_000L;
    while (BenchCluster.logTime(b, lossLine) < 0 && System.nanoTime() < lossDeadline) {
      sleep(20);
    }
    sleep(200); // the grace buffers are made on B's presence loop right after the line
    long cpuLoss = BenchCluster.cpuNanos(b.pid());
    long lossAt = System.nanoTime();
    long heapAfter = BenchCluster.liveBytes(BenchCluster.histogram(b.pid()));
    sleep(300);
    long cpuStart = BenchCluster.cpuNanos(b.pid());
    long start = System.nanoTime();
    for (int i = 0; i < loss.tokens().length; i++) {
      loss.run().resume(loss.client(), b.port(), i, loss.tokens()[i], loss.resumeTokens()[i]);
    }
    double issuedMs = (System.nanoTime() - start) / 1e6;
    int n = loss.tokens().length;
    String figures = String.format(Locale.ROOT, " reconnects_issued_in_ms=%s b_logs_loss_ms=%d b_loss_cpu_ms=%s "
        + "b_heap_before_mb=%.1f b_heap_after_loss_mb=%.1f b_heap_b_per_lost_session=%.0f",
      ms(issuedMs), BenchCluster.logTime(b, lossLine) - loss.wallAtKill(),
      ms((cpuLoss - loss.cpuBefore() - loss.idleRate() * (lossAt - loss.killedAt())) / 1e6),
      loss.heapBefore() / 1e6, heapAfter / 1e6, (heapAfter - loss.heapBefore()) / (double) n);
    return new Start(start, cpuStart, figures);
  }

  /** Each peer broadcasts the run's check text; waits until every client that came back got it (10 s at most). */
  private static void broadcastCheck(Run run, List<BenchClient> peers) {
    for (BenchClient peer : peers) {
      peer.send(new JsonObject().put("type", "message").put("data", run.check));
    }
    long checkDeadline = System.nanoTime() + 10_000_000_000L;
    while (run.delivered() < run.resumed.get() + run.fresh.get() && System.nanoTime() < checkDeadline) {
      sleep(20);
    }
  }

  private static void leaveAll(Run run, List<BenchClient> peers) {
    List<BenchClient> everyone = new ArrayList<>(peers);
    synchronized (run.back) {
      run.back.stream().filter(c -> c != null).forEach(everyone::add);
    }
    everyone.forEach(BenchClient::leave);
    sleep(1000);
  }

  /**
   * For resumed clients that did not get their peer's broadcast: what B's store and metrics say, and whether a
   * message addressed to them arrives.
   */
  private static String missed(Run run, NodeProcess b, List<BenchClient> peers, String prefix) {
    List<Integer> missing = new ArrayList<>();
    synchronized (run.back) {
      for (int i = 0; i < run.n; i++) {
        if (run.back.get(i) != null && !run.checked.contains(i)) {
          missing.add(i);
        }
      }
    }
    if (missing.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder(" b_grace_sessions=" + metric(b, "switchboard_grace_sessions"));
    String admin = io.switchboard.testing.TestTokens.admin();
    String direct = "direct-" + prefix;
    for (int i : missing.subList(0, Math.min(5, missing.size()))) {
      BenchClient c;
      synchronized (run.back) {
        c = run.back.get(i);
      }
      peers.get(i / ROOM_SIZE).send(new JsonObject().put("type", "message").put("to", c.id()).put("data", direct));
      String room = prefix + "-" + i / ROOM_SIZE;
      var record = io.switchboard.testing.Http.get(b.port(), "/api/rooms/" + room, admin).body();
      out.append("\nmissed client ").append(i).append(" id=").append(c.id()).append(" resumed=").append(c.resumed())
        .append(" room=").append(room).append(" store=").append(record);
    }
    sleep(1000);
    for (int i : missing.subList(0, Math.min(5, missing.size()))) {
      out.append("\nmissed client ").append(i).append(" got the direct message afterwards: ")
        .append(run.checked.contains(-1 - i));
    }
    return out.toString();
  }

  private static boolean awaitLatch(CountDownLatch latch, long nanos) {
    try {
      return latch.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String metric(NodeProcess node, String series) {
    try {
      return String.format(Locale.ROOT, "%.0f", Metrics.value(node.port(), series));
    } catch (AssertionError | RuntimeException e) {
      return "absent";
    }
  }
}
