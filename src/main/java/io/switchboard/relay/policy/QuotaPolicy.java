package io.switchboard.relay.policy;

/**
 * How many allocations (and relay ports held for a RESERVATION-TOKEN) may exist, per owner and in total. The
 * owner is a credential's {@link Authenticator.Credential#owner()}: a participant's identity, whatever username
 * it was minted under. Shared by all relay instances of a node.
 */
public interface QuotaPolicy {

  /** Takes one unit for {@code owner}; false when a quota is reached (486). */
  boolean tryAcquire(String owner);

  /** Gives back what {@link #tryAcquire} took. */
  void release(String owner);
}
