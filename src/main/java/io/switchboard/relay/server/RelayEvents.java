package io.switchboard.relay.server;

import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.ClientTransport;
import io.switchboard.relay.proto.StunError;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What the relay reports: metrics and logs plug in here instead of being sprinkled through the code. Every
 * method has an empty default; implementations must be cheap and must not block (they run on event loops, some
 * per datagram). Reasons are closed enums, never user input.
 */
public interface RelayEvents {

  /** Why a request failed authentication. */
  enum AuthFailure { BAD_REQUEST, STALE_NONCE, WRONG_REALM, UNKNOWN_USER, BAD_INTEGRITY, EXPIRED, WRONG_CREDENTIALS,
    REVOKED }

  /**
   * Why a datagram was not relayed or answered. UNEXPECTED: a well-formed message this server does not take
   * (a response, an indication other than Send); INTERNAL_ERROR: handling it threw, which is a bug.
   */
  enum Drop {
    MALFORMED, BAD_FINGERPRINT, UNEXPECTED, INTERNAL_ERROR, NO_ALLOCATION, NO_PERMISSION, NO_CHANNEL, PEER_REFUSED,
    BANDWIDTH, BACKPRESSURE, UNAUTHENTICATED_BUDGET
  }

  /** Which way a relayed datagram went. */
  enum Direction { CLIENT_TO_PEER, PEER_TO_CLIENT }

  /** Why an allocation ended. CONNECTION_CLOSED: its client's TCP or TLS connection closed (RFC 8656 section 3.1). */
  enum DeleteReason { REFRESH, EXPIRED, SHUTDOWN, REVOKED, CONNECTION_CLOSED }

  /**
   * Why a client's stream connection (TCP, TLS) closed. CLIENT_CLOSED: the client closed it; RESET: an I/O error;
   * AUTH_TIMEOUT: no authenticated request within relay.streamAuthTimeoutSeconds; HANDSHAKE_TIMEOUT: the TLS
   * handshake was not done by then; HANDSHAKE_FAILED: the handshake failed (not TLS, no common version or cipher);
   * TOO_LARGE: a message beyond the relay's maximum; NOT_TURN: bytes that are neither STUN nor ChannelData;
   * CONNECTION_LIMIT, ADDRESS_LIMIT: refused at once, too many connections on the instance or from the address;
   * ALLOCATION_ENDED: the connection's allocation was deleted (refresh to 0, expiry, revocation); SHUTDOWN: the relay
   * stopped.
   */
  enum StreamClose {
    CLIENT_CLOSED, RESET, AUTH_TIMEOUT, HANDSHAKE_TIMEOUT, HANDSHAKE_FAILED, TOO_LARGE, NOT_TURN, CONNECTION_LIMIT,
    ADDRESS_LIMIT, ALLOCATION_ENDED, SHUTDOWN
  }

  default void allocationCreated(Allocation allocation) {
  }

  /** A credential was revoked (a kicked or replaced participant's). */
  default void credentialRevoked() {
  }

  default void allocationDeleted(Allocation allocation, DeleteReason reason) {
  }

  default void permissionCreated(Allocation allocation, InetAddress peer) {
  }

  default void channelBound(Allocation allocation, int number, InetSocketAddress peer) {
  }

  default void peerRefused(Allocation allocation, InetAddress peer) {
  }

  default void quotaReached() {
  }

  /** A 401 challenge to a request without credentials: the normal first step, not a failure. */
  default void challenged() {
  }

  default void authFailure(AuthFailure reason, InetSocketAddress client) {
  }

  default void errorAnswered(StunError error) {
  }

  /** One datagram relayed: {@code bytes} of application data (without TURN framing). */
  default void relayed(Direction direction, int bytes) {
  }

  default void dropped(Drop reason) {
  }

  /**
   * A datagram arrived on the listening port and was read by relay instance {@code instance} (0-based, below
   * {@code relay.instances}), before anything else is done with it.
   */
  default void listenerDatagram(int instance) {
  }

  /** A client's TCP or TLS connection was accepted (before any limit is checked). */
  default void streamOpened(ClientTransport transport) {
  }

  /** A client's TCP or TLS connection closed, for {@code reason}; every opened connection closes once. */
  default void streamClosed(ClientTransport transport, StreamClose reason) {
  }

  /** All of {@code hooks}, in order (an array and index loops: no iterator per datagram). */
  static RelayEvents all(List<RelayEvents> hooks) {
    return new CompositeRelayEvents(hooks);
  }
}
