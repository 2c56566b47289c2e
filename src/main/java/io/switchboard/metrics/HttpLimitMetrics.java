package io.switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Meters of the HTTP listener's limits against hostile clients: connections it closed and why, upgrades it
 * refused, and how much per-address state it holds. Labels come from {@link Closed} only, never an address.
 */
public final class HttpLimitMetrics {

  /** Why the node closed an HTTP connection on its own. */
  public enum Closed {
    /** no complete request head within {@code http.headerTimeoutSeconds} of connecting */
    HEADER_TIMEOUT,
    /** a plain HTTP connection without a new request for {@code http.idleTimeoutSeconds} */
    IDLE_TIMEOUT,
    /** its address already held {@code http.maxConnectionsPerAddress} connections */
    ADDRESS_LIMIT
  }

  private final Map<Closed, Counter> closed;
  private final Counter upgradesRateLimited;

  public HttpLimitMetrics(MeterRegistry registry, IntSupplier openConnections, IntSupplier trackedAddresses) {
    Gauge.builder("switchboard.http.connections", openConnections::getAsInt)
      .description("HTTP connections open on this node, WebSockets included").register(registry);
    Gauge.builder("switchboard.http.tracked.addresses", trackedAddresses::getAsInt)
      .description("Client addresses the per-address limits hold state for").register(registry);
    closed = EnumCounters.register(registry, Closed.class, "switchboard.http.connections.closed", "reason",
      EnumCounters::lowerCase, "HTTP connections the node closed because of a limit, by reason");
    upgradesRateLimited = Counter.builder("switchboard.http.upgrades.rate.limited")
      .description("WebSocket upgrades refused with 429: over http.upgradesPerSecondPerAddress")
      .register(registry);
  }

  public void closed(Closed reason) {
    closed.get(reason).increment();
  }

  public void upgradeRateLimited() {
    upgradesRateLimited.increment();
  }
}
