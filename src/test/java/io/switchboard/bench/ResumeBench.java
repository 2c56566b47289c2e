package io.switchboard.bench;

import io.switchboard.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * What session resume costs, for loadtest/resume-cost.sh and docs/cluster.md ("Resume: measured"); not a test.
 * Node processes from the fat jar ({@link BenchCluster}), clients in this JVM ({@link BenchClient}).
 *
 * <pre>
 * java ... io.switchboard.bench.ResumeBench kill TRIES [WARMUPS]     kill to resumed welcome and to the peers' frames
 * java ... io.switchboard.bench.ResumeBench absorb N[,N...] [WARMUP] resumes/s and CPU per resume on one survivor
 * java ... io.switchboard.bench.ResumeBench memory N                 heap per session connected, in grace, buffering
 * </pre>
 *
 * System properties: {@code bench.nodeCores} (taskset list for every node, e.g. {@code 0}), {@code bench.pids}
 * (file the PIDs of started nodes are appended to), {@code bench.logs} (folder for the node logs). Each mode prints
 * one {@code key=value} line per measured item and a summary line starting with the mode's name.
 */
public final class ResumeBench {

  /** Every message a benchmark connection sends or receives stays below these limits. */
  static final Map<String, String> RAISED_LIMITS = Map.of(
    "SWITCHBOARD_LIMITS_RATE_FRAMES_PER_SECOND", "100000",
    "SWITCHBOARD_LIMITS_RATE_BURST", "100000",
    "SWITCHBOARD_LIMITS_RATE_BYTES_PER_SECOND", "100000000",
    "SWITCHBOARD_LIMITS_RATE_BYTES_BURST", "100000000",
    "SWITCHBOARD_LIMITS_MAX_PARTICIPANTS_PER_ROOM", "1000");

  private ResumeBench() {
  }

  // a command-line program: usage errors and the exit status are its interface to loadtest/resume-cost.sh
  @SuppressWarnings({"checkstyle:forbiddenOutput", "checkstyle:forbiddenExit"})
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ResumeBench kill TRIES [WARMUPS] | absorb N[,N...] [WARMUP_N] | memory N");
      System.exit(2);
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000)
      .setConnectTimeout(10_000));
    try {
      switch (args[0]) {
        case "kill" -> KillToResume.run(vertx, client, Integer.parseInt(args[1]),
          args.length > 2 ? Integer.parseInt(args[2]) : 2);
        case "absorb" -> AbsorbResumes.run(client,
          Arrays.stream(args[1].split(",")).map(Integer::valueOf).toList(),
          args.length > 2 ? Integer.parseInt(args[2]) : 200);
        case "memory" -> GraceMemory.run(client, Integer.parseInt(args[1]));
        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    System.exit(0);
  }

  /** One line of results: what loadtest/resume-cost.sh keeps. */
  @SuppressWarnings("checkstyle:forbiddenOutput")
  static void report(String line) {
    System.out.println(line);
  }

  static String nodeCores() {
    return System.getProperty("bench.nodeCores");
  }

  static String token(String identity, String room) {
    return TestTokens.participant(identity, room, null);
  }

  static <T> T await(Future<T> future, long seconds) {
    try {
      return future.await(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("not done within " + seconds + " s", e);
    }
  }

  /** Opens {@code count} things, {@code parallel} at a time, and returns them in order. */
  static <T> List<T> inBatches(int count, int parallel, IntFunction<Future<T>> open) {
    List<T> all = new ArrayList<>(count);
    for (int from = 0; from < count; from += parallel) {
      List<Future<T>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(count, from + parallel); i++) {
        batch.add(open.apply(i));
      }
      await(Future.all(batch), 60);
      batch.forEach(f -> all.add(f.result()));
    }
    return all;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The value at quantile {@code q} (nearest rank) of {@code sorted}. */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static String ms(double millis) {
    return String.format(Locale.ROOT, "%.1f", millis);
  }

  static String loadAverage() {
    try {
      String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
      return f[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  static void printProblems(BenchCluster cluster) {
    Map<String, Integer> problems = cluster.problems();
    if (problems.isEmpty()) {
      report("node logs: no WARNING or SEVERE line");
    }
    problems.forEach((line, count) -> report("node logs: " + count + "x " + line));
  }
}
