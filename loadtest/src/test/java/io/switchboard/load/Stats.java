package io.switchboard.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the simulations measure beyond Gatling's own request statistics, kept in this JVM (senders and receivers
 * are virtual users of the same Gatling process, so {@link System#nanoTime()} stamped into a frame by its sender
 * and read on arrival gives the one-way delivery time exactly). At the end the figures go to the file named by
 * {@code -Dsummary.file} as {@code key=value} lines, which run.sh turns into its summary line.
 */
public final class Stats {

  private static final Map<String, LongAdder> COUNTERS = new ConcurrentHashMap<>();
  private static final Map<String, Histogram> HISTOGRAMS = new ConcurrentHashMap<>();
  private static final Map<String, String> VALUES = new ConcurrentHashMap<>();
  /** Per-pair rendezvous: the first user of a pair publishes its session id here once welcomed. */
  private static final Map<Long, String> READY = new ConcurrentHashMap<>();

  private Stats() {
  }

  public static void add(String counter, long delta) {
    COUNTERS.computeIfAbsent(counter, k -> new LongAdder()).add(delta);
  }

  public static void inc(String counter) {
    add(counter, 1);
  }

  public static long count(String counter) {
    LongAdder a = COUNTERS.get(counter);
    return a == null ? 0 : a.sum();
  }

  public static void max(String key, long value) {
    VALUES.merge(key, Long.toString(value), (a, b) -> Long.parseLong(a) >= Long.parseLong(b) ? a : b);
  }

  public static void put(String key, Object value) {
    VALUES.put(key, String.valueOf(value));
  }

  public static String value(String key) {
    return VALUES.get(key);
  }

  public static Histogram histogram(String name) {
    return HISTOGRAMS.computeIfAbsent(name, k -> new Histogram());
  }

  public static void ready(long pair, String id) {
    READY.put(pair, id);
  }

  public static boolean isReady(long pair) {
    return READY.containsKey(pair);
  }

  public static String readyId(long pair) {
    return READY.get(pair);
  }

  /** Writes every counter, value and histogram summary (p50/p90/p99/max in ms) as key=value lines. */
  public static void write() {
    Map<String, String> out = new TreeMap<>();
    COUNTERS.forEach((k, v) -> out.put(k, Long.toString(v.sum())));
    out.putAll(VALUES);
    HISTOGRAMS.forEach((k, h) -> {
      out.put(k + ".count", Long.toString(h.count()));
      out.put(k + ".p50_ms", ms(h.percentileMicros(50)));
      out.put(k + ".p90_ms", ms(h.percentileMicros(90)));
      out.put(k + ".p99_ms", ms(h.percentileMicros(99)));
      out.put(k + ".max_ms", ms(h.maxMicros()));
    });
    StringBuilder text = new StringBuilder();
    out.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    System.out.print("---- switchboard-loadtest figures ----\n" + text);
    String file = System.getProperty("summary.file");
    if (file != null && !file.isBlank()) {
      try {
        Files.writeString(Path.of(file), text);
      } catch (IOException e) {
        throw new IllegalStateException("cannot write " + file, e);
      }
    }
  }

  public static String ms(long micros) {
    return String.format(java.util.Locale.ROOT, "%.3f", micros / 1000.0);
  }

  /** Marks a moment (epoch ms) run.sh uses to cut its CPU/RSS samples, e.g. the start of the measured window. */
  public static void mark(String name) {
    VALUES.putIfAbsent(name, Long.toString(System.currentTimeMillis()));
    String dir = System.getProperty("marks.dir");
    if (dir != null && !dir.isBlank()) {
      try {
        Files.writeString(Path.of(dir, name), Long.toString(System.currentTimeMillis()));
      } catch (IOException e) {
        throw new IllegalStateException("cannot write mark " + name, e);
      }
    }
  }

  /** Latencies in 10 µs buckets up to 10 s, then 1 ms buckets up to 100 s (longer: the last bucket); lock-free. */
  public static final class Histogram {
    private static final int FINE = 1_000_000;
    private static final int BUCKETS = FINE + 90_000;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final LongAdder total = new LongAdder();
    private final java.util.concurrent.atomic.AtomicLong max = new java.util.concurrent.atomic.AtomicLong();

    public void recordNanos(long nanos) {
      long micros = Math.max(0, nanos / 1000);
      int bucket = micros < 10_000_000 ? (int) (micros / 10) : (int) Math.min(BUCKETS - 1, FINE + (micros - 10_000_000) / 1000);
      counts.incrementAndGet(bucket);
      total.increment();
      max.accumulateAndGet(micros, Math::max);
    }

    public long count() {
      return total.sum();
    }

    public long maxMicros() {
      return max.get();
    }

    /** The upper edge of the bucket holding the given percentile, in µs (0 when empty). */
    public long percentileMicros(double percentile) {
      long n = count();
      if (n == 0) {
        return 0;
      }
      long rank = (long) Math.ceil(percentile / 100.0 * n);
      long seen = 0;
      for (int i = 0; i < BUCKETS; i++) {
        seen += counts.get(i);
        if (seen >= rank) {
          long upper = i < FINE ? (i + 1) * 10L : 10_000_000L + (i - FINE + 1) * 1000L;
          return Math.min(upper, max.get());
        }
      }
      return max.get();
    }
  }
}
