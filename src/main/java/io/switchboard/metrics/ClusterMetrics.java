package io.switchboard.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.IntSupplier;

/** Meters of a clustered node: the members it trusts and those it refuses (or has not yet checked). */
public final class ClusterMetrics {

  public ClusterMetrics(MeterRegistry registry, IntSupplier trustedMembers, IntSupplier untrustedMembers) {
    Gauge.builder("switchboard.cluster.members", trustedMembers::getAsInt).tag("state", "trusted")
      .description("Cluster members this node trusts, itself included").register(registry);
    Gauge.builder("switchboard.cluster.members", untrustedMembers::getAsInt).tag("state", "untrusted")
      .description("Hazelcast members that joined without passing the event-bus TLS check (refused or pending)")
      .register(registry);
  }
}
