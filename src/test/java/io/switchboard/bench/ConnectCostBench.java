package io.switchboard.bench;

import io.switchboard.auth.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.switchboard.bench.ResumeBench.ms;
import static io.switchboard.bench.ResumeBench.quantile;
import static io.switchboard.bench.ResumeBench.report;
import static io.switchboard.bench.ResumeBench.sleep;

/**
 * What TLS costs a node per WebSocket connect and per relayed frame, for loadtest/wss-cost.sh and
 * docs/performance.md ("HTTPS and wss: what TLS costs"); not a test. Two node processes the script started (same
 * jar, same settings, one with {@code http.tls}); this driver opens connections to them in alternating rounds and
 * reads each node's CPU time (utime + stime, /proc/PID/stat) before and after a round.
 *
 * <pre>
 * java -Dbench.secret=S ... io.switchboard.bench.ConnectCostBench WS_PORT WS_PID WSS_PORT WSS_PID CA_PEM \
 *      CONNECTS WARMUPS ROUNDS CONCURRENCY FRAMES
 * </pre>
 *
 * A connect is the whole path a participant takes: TCP, (TLS,) the upgrade with the token in {@code access_token},
 * the join, and {@code welcome} received; each connection has a room of its own (no presence fan-out). Targets:
 * {@code ws}; {@code wss} (TLS 1.3, full handshake: every connection has a client of its own, so an empty TLS
 * session cache, and nothing to resume); {@code wss-tls1.2} (the same with
 * TLS 1.2); {@code wss-resumed} (TLS 1.3, always 127.0.0.1, so the client resumes with the node's session
 * ticket, as a browser does after the page load). A round opens {@code CONNECTS} connections, {@code CONCURRENCY}
 * in flight, keeps them until the last {@code welcome}, then sends {@code leave} on each and waits for the close
 * outside the measured window. {@code FRAMES} (0: skipped): 10 pairs exchange that many ~200-byte
 * {@code message} frames in all (after a fifth of that as warm-up), over ws, then over wss, twice. The secret both
 * nodes trust is {@code bench.secret}.
 */
public final class ConnectCostBench {

  private static final int LATENCY_CONNECTS = 300;
  private static final int PAIRS = 10;
  private static final int WINDOW = 50;
  private static final String PAYLOAD = "x".repeat(160);

  private final TokenIssuer issuer;
  private final Vertx vertx;
  /** Rounds begun so far: part of every identity and room name, so none repeats. */
  private final AtomicLong roundsBegun = new AtomicLong();
  /** The clients made for single full-handshake connections in the current round, closed when it ends. */
  private final List<WebSocketClient> freshClients = Collections.synchronizedList(new ArrayList<>());

  /**
   * One way to reach a node.
   *
   * @param fresh for full handshakes: a client of its own per connection (own TLS context, so an empty session
   *              cache: nothing to resume), made from these options; null: {@code client} for every connection
   */
  private record Target(String name, WebSocketClient client, int port, long pid, WebSocketClientOptions fresh) {
  }

  /** What one round measured. */
  private record Round(int connects, int failed, long cpuNanos, long wallNanos, double[] latencyMs) {

    double cpuMicrosPerConnect() {
      return cpuNanos / 1000.0 / connects;
    }

    String line() {
      return String.format(Locale.ROOT, "connects=%d failed=%d cpu_us_per_connect=%.0f wall_s=%.2f p50_ms=%s"
          + " p99_ms=%s", connects, failed, cpuMicrosPerConnect(), wallNanos / 1e9, ms(quantile(latencyMs, 0.5)),
        ms(quantile(latencyMs, 0.99)));
    }
  }

  private ConnectCostBench(String secret, Vertx vertx) {
    this.issuer = new TokenIssuer(secret);
    this.vertx = vertx;
  }

  // a command-line program: usage errors and the exit status are its interface to loadtest/wss-cost.sh
  @SuppressWarnings({"checkstyle:forbiddenOutput", "checkstyle:forbiddenExit"})
  public static void main(String[] args) throws Exception {
    if (args.length != 10 || System.getProperty("bench.secret") == null) {
      System.err.println("usage: java -Dbench.secret=S ConnectCostBench WS_PORT WS_PID WSS_PORT WSS_PID CA_PEM"
        + " CONNECTS WARMUPS ROUNDS CONCURRENCY FRAMES");
      System.exit(2);
    }
    int[] n = Arrays.stream(args, 5, 10).mapToInt(Integer::parseInt).toArray();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      List<Target> targets = targets(vertx, args);
      new ConnectCostBench(System.getProperty("bench.secret"), vertx).run(targets, n[0], n[1], n[2], n[3], n[4]);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    System.exit(0);
  }

  private static List<Target> targets(Vertx vertx, String[] args) {
    int wsPort = Integer.parseInt(args[0]);
    long wsPid = Long.parseLong(args[1]);
    int wssPort = Integer.parseInt(args[2]);
    long wssPid = Long.parseLong(args[3]);
    WebSocketClient plain = vertx.createWebSocketClient(options());
    WebSocketClientOptions tls13 = tls(options(), args[4], "TLSv1.3");
    WebSocketClientOptions tls12 = tls(options(), args[4], "TLSv1.2");
    WebSocketClient resuming = vertx.createWebSocketClient(tls13);
    return List.of(
      new Target("ws", plain, wsPort, wsPid, null),
      new Target("wss", resuming, wssPort, wssPid, tls13),
      new Target("wss-tls1.2", resuming, wssPort, wssPid, tls12),
      new Target("wss-resumed", resuming, wssPort, wssPid, null));
  }

  private static WebSocketClientOptions options() {
    return new WebSocketClientOptions().setMaxConnections(100_000).setConnectTimeout(10_000);
  }

  /**
   * TLS trusting the bench CA, whose certificate names 127.0.0.1, where the node listens.
   */
  private static WebSocketClientOptions tls(WebSocketClientOptions options, String ca, String protocol) {
    options.setSsl(true).setTrustOptions(new PemTrustOptions().addCertPath(ca))
      .setEnabledSecureTransportProtocols(Set.of(protocol));
    return options;
  }

  private void run(List<Target> targets, int connects, int warmups, int rounds, int concurrency, int frames) {
    report("idle: " + idle(targets.get(0)) + " " + idle(targets.get(1)));
    for (int w = 0; w < warmups; w++) {
      for (Target t : targets) {
        report("warmup " + (w + 1) + " " + t.name() + " " + round(t, connects, concurrency).line());
      }
    }
    Map<String, List<Round>> measured = new LinkedHashMap<>();
    for (int r = 0; r < rounds; r++) {
      for (Target t : targets) {
        Round round = round(t, connects, concurrency);
        measured.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(round);
        report("round " + (r + 1) + " " + t.name() + " " + round.line() + " load=" + ResumeBench.loadAverage());
      }
    }
    summarize(measured);
    for (Target t : targets) {
      report("alone " + t.name() + " (concurrency 1) " + round(t, LATENCY_CONNECTS, 1).line());
    }
    for (int r = 0; frames > 0 && r < 2; r++) {
      double ws = frames(targets.get(0), frames);
      double wss = frames(targets.get(1), frames);
      report(String.format(Locale.ROOT, "frames %d ratio wss/ws=%.2f", r + 1, wss / ws));
    }
  }

  /** The node's CPU while nothing is connected, over two seconds. */
  private static String idle(Target t) {
    long before = BenchCluster.cpuNanos(t.pid());
    sleep(2000);
    return t.name() + "_idle_cpu_ms_per_s=" + (BenchCluster.cpuNanos(t.pid()) - before) / 2_000_000;
  }

  private static void summarize(Map<String, List<Round>> measured) {
    double ws = median(measured.get("ws"));
    measured.forEach((name, list) -> {
      double[] cpu = list.stream().mapToDouble(Round::cpuMicrosPerConnect).sorted().toArray();
      double[] p50 = list.stream().mapToDouble(r -> quantile(r.latencyMs(), 0.5)).sorted().toArray();
      double[] p99 = list.stream().mapToDouble(r -> quantile(r.latencyMs(), 0.99)).sorted().toArray();
      report(String.format(Locale.ROOT, "summary %s cpu_us_per_connect median=%.0f range=%.0f-%.0f ratio_to_ws=%.2f"
          + " p50_ms=%s-%s p99_ms=%s-%s", name, median(list), cpu[0], cpu[cpu.length - 1], median(list) / ws,
        ms(p50[0]), ms(p50[p50.length - 1]), ms(p99[0]), ms(p99[p99.length - 1])));
    });
  }

  private static double median(List<Round> rounds) {
    double[] cpu = rounds.stream().mapToDouble(Round::cpuMicrosPerConnect).sorted().toArray();
    return cpu.length % 2 == 1 ? cpu[cpu.length / 2] : (cpu[cpu.length / 2 - 1] + cpu[cpu.length / 2]) / 2;
  }

  /** Opens {@code n} connections to {@code t}, {@code concurrency} at a time, then closes them (not measured). */
  private Round round(Target t, int n, int concurrency) {
    double[] latency = new double[n];
    List<BenchClient> open = Collections.synchronizedList(new ArrayList<>(n));
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(n);
    String prefix = t.name() + "-" + roundsBegun.incrementAndGet();
    long cpu0 = BenchCluster.cpuNanos(t.pid());
    long t0 = System.nanoTime();
    for (int k = 0; k < Math.min(concurrency, n); k++) {
      connectNext(t, n, prefix, next, latency, open, failed, done);
    }
    awaitLatch(done, 180);
    long wall = System.nanoTime() - t0;
    long cpu = BenchCluster.cpuNanos(t.pid()) - cpu0;
    closeAll(open);
    synchronized (freshClients) {
      freshClients.forEach(WebSocketClient::close);
      freshClients.clear();
    }
    double[] ok = Arrays.stream(latency).filter(x -> x >= 0).sorted().toArray();
    return new Round(n, failed.get(), cpu, wall, ok);
  }

  // the chain of one in-flight slot: each completed connect starts the next one from its event loop
  private void connectNext(Target t, int n, String prefix, AtomicInteger next, double[] latency,
                           List<BenchClient> open, AtomicInteger failed, CountDownLatch done) {
    int i = next.getAndIncrement();
    if (i >= n) {
      return;
    }
    String token = token(prefix + "-" + i, prefix + "-room-" + i);
    WebSocketClient client = t.client();
    if (t.fresh() != null) {
      client = vertx.createWebSocketClient(t.fresh());
      freshClients.add(client);
    }
    long start = System.nanoTime();
    BenchClient.open(client, t.port(), token, null, null, null).onComplete(ar -> {
      if (ar.succeeded()) {
        latency[i] = (ar.result().welcomeNanos() - start) / 1e6;
        open.add(ar.result());
      } else {
        latency[i] = -1;
        failed.incrementAndGet();
      }
      done.countDown();
      connectNext(t, n, prefix, next, latency, open, failed, done);
    });
  }

  private String token(String identity, String room) {
    long now = System.currentTimeMillis() / 1000;
    return issuer.sign(TokenIssuer.participantClaims(identity, room, null, null, now, 3600));
  }

  /** {@code leave} on each, then waits (at most 60 s) until the node has closed them all. */
  private static void closeAll(List<BenchClient> open) {
    List<BenchClient> all;
    synchronized (open) {
      all = new ArrayList<>(open);
    }
    all.forEach(BenchClient::leave);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (all.stream().anyMatch(c -> !c.isClosed()) && System.nanoTime() < deadline) {
      sleep(50);
    }
    all.stream().filter(c -> !c.isClosed()).forEach(BenchClient::close);
    sleep(500);
  }

  /**
   * {@link #PAIRS} pairs, each in its own room, send ~200-byte {@code message} frames to each other, {@link #WINDOW}
   * per side at a time, until {@code frames} have been relayed; the node's CPU per relayed frame.
   */
  private double frames(Target t, int frames) {
    AtomicLong received = new AtomicLong();
    List<BenchClient> clients = new ArrayList<>();
    for (int p = 0; p < PAIRS; p++) {
      for (String side : List.of("a", "b")) {
        String prefix = "f-" + t.name() + "-" + p;
        clients.add(ResumeBench.await(BenchClient.open(t.client(), t.port(), token(prefix + side, prefix), null,
          f -> {
            if ("message".equals(f.getString("type"))) {
              received.incrementAndGet();
            }
          }, null), 30));
      }
    }
    int perWindow = PAIRS * 2 * WINDOW;
    int windows = Math.max(1, frames / perWindow);
    exchange(clients, received, windows / 5 + 1); // warm-up
    received.set(0);
    long cpu0 = BenchCluster.cpuNanos(t.pid());
    long t0 = System.nanoTime();
    exchange(clients, received, windows);
    long wall = System.nanoTime() - t0;
    double perFrame = (BenchCluster.cpuNanos(t.pid()) - cpu0) / 1000.0 / received.get();
    report(String.format(Locale.ROOT, "frames %s relayed=%d cpu_us_per_frame=%.1f frames_per_s=%.0f load=%s",
      t.name(), received.get(), perFrame, received.get() / (wall / 1e9), ResumeBench.loadAverage()));
    closeAll(clients);
    return perFrame;
  }

  private static void exchange(List<BenchClient> clients, AtomicLong received, int windows) {
    long expected = received.get();
    for (int w = 0; w < windows; w++) {
      for (int c = 0; c < clients.size(); c++) {
        BenchClient from = clients.get(c);
        String to = clients.get(c ^ 1).id();
        for (int m = 0; m < WINDOW; m++) {
          from.send(new JsonObject().put("type", "message").put("to", to).put("data", PAYLOAD));
        }
      }
      expected += (long) clients.size() * WINDOW;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (received.get() < expected) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("frames lost: " + received.get() + " of " + expected);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
      }
    }
  }

  private static void awaitLatch(CountDownLatch latch, long seconds) {
    try {
      if (!latch.await(seconds, TimeUnit.SECONDS)) {
        throw new IllegalStateException("round not done within " + seconds + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
