package io.switchboard.relay.usage;

import io.vertx.core.Context;
import io.vertx.core.Future;

/**
 * Which room a TURN REST username was issued for. The username's wire format is fixed by the protocol
 * ({@code <unix expiry>:<identity>}, docs/protocol.md), so the room cannot travel inside it: the edge that issues a
 * credential records the room here, and the relay that the client allocates on (any node's) looks it up once, when
 * the allocation goes live. A binding lives until the credential expires (plus a minute of clock skew) and no
 * longer: an expired credential opens no allocation. Local on a single node, a Hazelcast map in a cluster.
 */
public interface CredentialRooms {

  /** Longest username bound: the relay refuses longer USERNAME attributes anyway (RFC 8489 section 14.3). */
  int MAX_USERNAME_BYTES = 512;

  /** Kept after the expiry, for clocks of members that differ a little. */
  long SKEW_SECONDS = 60;

  /**
   * Records that {@code username}, valid until {@code expiresAtEpochSeconds}, was issued for {@code room}. Any thread;
   * the future completes (on the caller's context, if it has one) once the binding is recorded, and never fails: a
   * lost binding only leaves that credential's usage unattributed.
   */
  Future<Void> bind(String username, String room, long expiresAtEpochSeconds);

  /** The room {@code username} was issued for, or null; completes on {@code context}. */
  Future<String> room(String username, Context context);

  /** Whether {@code username} may be bound at all: a REST username of at most {@link #MAX_USERNAME_BYTES} bytes. */
  static boolean bindable(String username) {
    return username != null && username.length() <= MAX_USERNAME_BYTES
      && username.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_USERNAME_BYTES
      && io.switchboard.relay.policy.TurnRestAuthenticator.restExpiry(username) >= 0;
  }
}
