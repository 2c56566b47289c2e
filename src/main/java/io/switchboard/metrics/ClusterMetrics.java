package io.switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.IntSupplier;

/**
 * Meters of a clustered node: the members it trusts and refuses, and what it refused to take from other
 * members. Anything refused is either a bug or someone injecting into the cluster: worth an alert.
 */
public final class ClusterMetrics {

  private final Counter framesRefused;
  private final Counter deltasRefused;
  private final Counter recordsRefused;

  public ClusterMetrics(MeterRegistry registry, IntSupplier trustedMembers, IntSupplier untrustedMembers) {
    Gauge.builder("switchboard.cluster.members", trustedMembers::getAsInt).tag("state", "trusted")
      .description("Cluster members this node trusts, itself included").register(registry);
    Gauge.builder("switchboard.cluster.members", untrustedMembers::getAsInt).tag("state", "untrusted")
      .description("Hazelcast members that joined without passing the event-bus TLS check (refused or pending)")
      .register(registry);
    framesRefused = Counter.builder("switchboard.cluster.frames.refused")
      .description("Frames from other nodes not delivered: malformed, or their sender is not a member of the "
        + "receiver's room held by the sending node")
      .register(registry);
    deltasRefused = Counter.builder("switchboard.cluster.deltas.refused")
      .description("Presence deltas from other nodes not applied: malformed, from an untrusted node, or naming "
        + "sessions the sender does not hold")
      .register(registry);
    recordsRefused = Counter.builder("switchboard.cluster.records.refused")
      .description("Member records read from the rooms map and ignored because they are malformed")
      .register(registry);
  }

  public void frameRefused() {
    framesRefused.increment();
  }

  public void deltaRefused() {
    deltasRefused.increment();
  }

  public void recordRefused() {
    recordsRefused.increment();
  }
}
