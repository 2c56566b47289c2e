package io.switchboard.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Configured limits exported as gauges, so an alert can be a ratio of use to limit ({@code ops/prometheus}) instead
 * of a threshold copied from the configuration, which would go stale when the configuration changes.
 */
public final class LimitMetrics {

  private LimitMetrics() {
  }

  /** {@code relay.maxAllocations}: TURN allocations this node's relay admits at once (all instances together). */
  public static void relay(MeterRegistry registry, int maxAllocations) {
    Gauge.builder("switchboard.limit.turn.allocations", () -> maxAllocations)
      .description("relay.maxAllocations: TURN allocations this node admits at once; more are refused with 486")
      .register(registry);
  }
}
