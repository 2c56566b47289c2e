package io.switchboard.relay.policy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TURN REST usernames that were revoked (their participant was kicked or replaced) and must not be used again
 * until they expire: no Allocate, Refresh, CreatePermission or ChannelBind with them. Shared by the relay
 * instances of a node; bounded, and every entry leaves once its credential has expired.
 */
public final class RevokedCredentials {

  /** Beyond this many live revocations, the one that expires first makes room. */
  static final int MAX_ENTRIES = 100_000;

  private final Map<String, Long> expiryByUsername = new ConcurrentHashMap<>();

  public boolean revoked(String username) {
    return expiryByUsername.containsKey(username);
  }

  /** Remembers {@code username} until {@code expiresAtEpochSeconds}. */
  public void revoke(String username, long expiresAtEpochSeconds) {
    if (expiryByUsername.size() >= MAX_ENTRIES && !expiryByUsername.containsKey(username)) {
      expiryByUsername.entrySet().stream().min(Map.Entry.comparingByValue())
        .ifPresent(first -> expiryByUsername.remove(first.getKey(), first.getValue()));
    }
    expiryByUsername.put(username, expiresAtEpochSeconds);
  }

  /** Forgets the revocations whose credential has expired anyway. */
  public void sweep(long nowEpochSeconds) {
    expiryByUsername.values().removeIf(expiry -> expiry <= nowEpochSeconds);
  }

  public int size() {
    return expiryByUsername.size();
  }
}
