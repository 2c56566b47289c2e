package io.switchboard.relay.server;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per source IP for answers to requests nobody has authenticated (401, 438, 400, 420, Binding):
 * those go to whatever address a datagram claims to come from, so they must not make the relay an amplifier.
 * The table is bounded: beyond {@link #MAX_SOURCES} the least recently seen source is forgotten. Single-threaded.
 */
final class UnauthenticatedBudget {

  static final int MAX_SOURCES = 10_000;

  private final double perNano;
  private final int burst;
  private final Map<InetAddress, double[]> buckets = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<InetAddress, double[]> eldest) {
      return size() > MAX_SOURCES;
    }
  };

  UnauthenticatedBudget(int perSecond, int burst) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
  }

  /** True when one more answer to {@code source} is within its budget. */
  boolean tryTake(InetAddress source, long nowNanos) {
    double[] bucket = buckets.get(source);
    if (bucket == null) {
      bucket = new double[]{burst, nowNanos};
      buckets.put(source, bucket);
    } else {
      double elapsed = nowNanos - bucket[1];
      bucket[0] = Math.min(burst, bucket[0] + Math.max(0, elapsed) * perNano);
      bucket[1] = nowNanos;
    }
    if (bucket[0] < 1) {
      return false;
    }
    bucket[0] -= 1;
    return true;
  }
}
