package io.switchboard.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.relay.usage.NodeTurnUsage;

/**
 * How much the per-room TURN accounting holds and what it could not attribute. No room is ever a label: per-room
 * numbers are in the admin API and the {@code room_finished} webhook, not in Prometheus.
 */
public final class TurnUsageMetrics {

  private TurnUsageMetrics() {
  }

  public static void register(MeterRegistry registry, NodeTurnUsage usage) {
    Gauge.builder("switchboard.turn.usage.rooms", usage, NodeTurnUsage::keptRooms)
      .description("Rooms whose ended TURN allocations' totals this node keeps").register(registry);
    FunctionCounter.builder("switchboard.turn.usage.evicted.rooms", usage, NodeTurnUsage::evictedRooms)
      .description("Rooms whose TURN usage totals were dropped before their retention ended (memory bound)")
      .register(registry);
    FunctionCounter.builder("switchboard.turn.usage.unattributed.allocations", usage,
        NodeTurnUsage::unattributedAllocations)
      .description("TURN allocations with a REST credential whose room was not known: not counted for any room")
      .register(registry);
  }
}
