package io.switchboard.testing;

import java.nio.file.Path;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reads a test node's Prometheus text and waits for values that change asynchronously. */
public final class Metrics {

  private Metrics() {
  }

  public static String scrape(int port) {
    Http.Response response = Http.get(port, "/metrics", null);
    assertEquals(200, response.status());
    return response.body();
  }

  /** /metrics from a node whose HTTP port serves TLS, trusting only the test CA in {@code ca}. */
  public static String scrapeHttps(int port, Path ca) {
    Http.Response response = Http.getHttps(port, "/metrics", null, ca);
    assertEquals(200, response.status());
    return response.body();
  }

  /** The value of one series, e.g. {@code switchboard_errors_total{code="bad-message"}}; fails when absent. */
  public static double value(String text, String series) {
    String prefix = series + " ";
    return text.lines().filter(l -> l.startsWith(prefix)).findFirst()
      .map(l -> Double.parseDouble(l.substring(prefix.length()).trim().split(" ")[0]))
      .orElseThrow(() -> new AssertionError("series " + series + " not in /metrics"));
  }

  public static double value(int port, String series) {
    return value(scrape(port), series);
  }

  /** Polls {@code value} until it equals {@code expected} or {@code millis} pass; returns the last value. */
  public static double awaitValue(DoubleSupplier value, double expected, long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000;
    double last = value.getAsDouble();
    while (last != expected && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      last = value.getAsDouble();
    }
    return last;
  }
}
