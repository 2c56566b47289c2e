package io.switchboard.relay.policy;

/** How many allocations may exist, per user and in total. Shared by all relay instances of a node. */
public interface QuotaPolicy {

  /** Reserves one allocation for {@code username}; false when a quota is reached (486). */
  boolean tryAcquire(String username);

  /** Gives back what {@link #tryAcquire} reserved. */
  void release(String username);
}
