package io.switchboard.signaling.presence;

import java.util.Set;

/**
 * The members presence counts as live, and news of their changes. A single node is a cluster of one that
 * never changes; a clustered node adapts its trusted-membership view.
 */
public interface ClusterView {

  /** Node ids of the trusted members, this one included. */
  Set<String> liveNodes();

  /** Whether this node is the oldest trusted member: it cleans up after lost ones. */
  boolean isOldest();

  /** Registers {@code listener}; returns what unregisters it. Events come on any thread. */
  Runnable listen(Listener listener);

  interface Listener {

    /** A member proved it belongs (its sessions count from now on). */
    void trusted(String nodeId);

    /** A member left or died. */
    void left(String nodeId);

    /** This side of a split cluster merged into the other. */
    void merged();
  }

  /** A node on its own. */
  static ClusterView alone(String nodeId) {
    return new ClusterView() {
      @Override
      public Set<String> liveNodes() {
        return Set.of(nodeId);
      }

      @Override
      public boolean isOldest() {
        return true;
      }

      @Override
      public Runnable listen(Listener listener) {
        return () -> { };
      }
    };
  }
}
