package io.switchboard.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every fuzz target shares: it counts its executions and, in fuzzing mode ({@code JAZZER_FUZZ} set, as in the
 * fuzz executions of {@code mvn verify}), proves afterwards that it really fuzzed. Jazzer skips, rather than fails,
 * a second {@code @FuzzTest} in one JVM, and a fuzz test whose agent did not start would only replay its seeds: both
 * would look green. {@link #checkFuzzed} turns them into failures. It also prints one {@code FUZZ-STATS} line that
 * loadtest/fuzz-long.sh reads.
 */
final class FuzzStats {

  private final Class<?> testClass;
  private final String method;
  private final AtomicLong executions = new AtomicLong();
  private volatile long firstNanos;
  private volatile long lastNanos;

  FuzzStats(Class<?> testClass, String method) {
    this.testClass = testClass;
    this.method = method;
  }

  /** Call once at the start of every execution of the target. */
  void executed() {
    long now = System.nanoTime();
    if (executions.getAndIncrement() == 0) {
      firstNanos = now;
    }
    lastNanos = now;
  }

  long executions() {
    return executions.get();
  }

  /**
   * Jazzer's own rule (its Utils.isFuzzing): JAZZER_FUZZ as environment variable or system property,
   * "1"/"true"/"yes".
   */
  static boolean fuzzing() {
    return truthy(System.getenv("JAZZER_FUZZ")) || truthy(System.getProperty("JAZZER_FUZZ"));
  }

  private static boolean truthy(String value) {
    return value != null && (value.equals("1") || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes"));
  }

  /** The seed files Jazzer replays for this target ({@code <Class>Inputs/<method>/**} on the test class path). */
  int seedFiles() {
    URL dir = testClass.getResource(testClass.getSimpleName() + "Inputs/" + method);
    if (dir == null) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(Path.of(dir.toURI()))) {
      return (int) files.filter(Files::isRegularFile).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Prints the summary; in fuzzing mode, fails unless the target ran far more often than it has seeds. */
  void checkFuzzed() {
    long runs = executions.get();
    double seconds = runs == 0 ? 0 : (lastNanos - firstNanos) / 1e9;
    int seeds = seedFiles();
    printStatsLine(runs, seconds, seeds);
    if (fuzzing()) {
      // the seeds run twice (as JUnit invocations, then as libFuzzer's initial corpus), plus the empty input
      long replayOnly = 2L * (seeds + 1);
      assertTrue(runs > replayOnly + 10, testClass.getSimpleName() + " ran " + runs + " times in fuzzing mode, "
        + "no more than replaying its " + seeds + " seeds: Jazzer skipped it or did not fuzz");
    } else {
      assertTrue(runs >= 1, testClass.getSimpleName() + " did not run at all");
    }
  }

  // the FUZZ-STATS line goes to standard output: loadtest/fuzz-long.sh reads it from surefire's captured output
  @SuppressWarnings("checkstyle:forbiddenOutput")
  private void printStatsLine(long runs, double seconds, int seeds) {
    System.out.printf("FUZZ-STATS target=%s.%s mode=%s executions=%d seconds=%.1f seeds=%d%n",
      testClass.getSimpleName(), method, fuzzing() ? "fuzzing" : "regression", runs, seconds, seeds);
  }
}
