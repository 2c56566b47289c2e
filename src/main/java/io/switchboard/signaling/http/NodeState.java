package io.switchboard.signaling.http;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/** Whether the node serves: {@code /health} answers 200 only when {@link Phase#UP}. */
public final class NodeState {

  public enum Phase { STARTING, UP, DRAINING }

  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
  private final long startedAtMillis = System.currentTimeMillis();
  /** Cluster members this node trusts (a local read); null on a single node. */
  private volatile IntSupplier clusterMembers;
  private volatile boolean clusterTls;

  public Phase phase() {
    return phase.get();
  }

  public void set(Phase next) {
    phase.set(next);
  }

  /** The node is clustered: {@code members} counts the trusted members; {@code tls} is false when insecure. */
  public void cluster(IntSupplier members, boolean tls) {
    this.clusterTls = tls;
    this.clusterMembers = members;
  }

  /** Whether the cluster's event bus runs over mutual TLS; meaningful only when clustered. */
  public boolean clusterTls() {
    return clusterTls;
  }

  /** Current member count, or -1 when the node is not clustered. */
  public int clusterMemberCount() {
    IntSupplier members = clusterMembers;
    return members == null ? -1 : members.getAsInt();
  }

  public long startedAtMillis() {
    return startedAtMillis;
  }
}
