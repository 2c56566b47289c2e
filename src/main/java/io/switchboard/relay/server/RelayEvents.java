package io.switchboard.relay.server;

import io.switchboard.relay.allocation.Allocation;
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

  /** Why an allocation ended. */
  enum DeleteReason { REFRESH, EXPIRED, SHUTDOWN, REVOKED }

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

  /** All of {@code hooks}, in order (an array and index loops: no iterator per datagram). */
  static RelayEvents all(List<RelayEvents> hooks) {
    RelayEvents[] list = hooks.toArray(new RelayEvents[0]);
    return new RelayEvents() {
      @Override
      public void allocationCreated(Allocation allocation) {
        for (int i = 0; i < list.length; i++) {
          list[i].allocationCreated(allocation);
        }
      }

      @Override
      public void allocationDeleted(Allocation allocation, DeleteReason reason) {
        for (int i = 0; i < list.length; i++) {
          list[i].allocationDeleted(allocation, reason);
        }
      }

      @Override
      public void credentialRevoked() {
        for (int i = 0; i < list.length; i++) {
          list[i].credentialRevoked();
        }
      }

      @Override
      public void permissionCreated(Allocation allocation, InetAddress peer) {
        for (int i = 0; i < list.length; i++) {
          list[i].permissionCreated(allocation, peer);
        }
      }

      @Override
      public void channelBound(Allocation allocation, int number, InetSocketAddress peer) {
        for (int i = 0; i < list.length; i++) {
          list[i].channelBound(allocation, number, peer);
        }
      }

      @Override
      public void peerRefused(Allocation allocation, InetAddress peer) {
        for (int i = 0; i < list.length; i++) {
          list[i].peerRefused(allocation, peer);
        }
      }

      @Override
      public void quotaReached() {
        for (int i = 0; i < list.length; i++) {
          list[i].quotaReached();
        }
      }

      @Override
      public void challenged() {
        for (int i = 0; i < list.length; i++) {
          list[i].challenged();
        }
      }

      @Override
      public void authFailure(AuthFailure reason, InetSocketAddress client) {
        for (int i = 0; i < list.length; i++) {
          list[i].authFailure(reason, client);
        }
      }

      @Override
      public void errorAnswered(StunError error) {
        for (int i = 0; i < list.length; i++) {
          list[i].errorAnswered(error);
        }
      }

      @Override
      public void relayed(Direction direction, int bytes) {
        for (int i = 0; i < list.length; i++) {
          list[i].relayed(direction, bytes);
        }
      }

      @Override
      public void dropped(Drop reason) {
        for (int i = 0; i < list.length; i++) {
          list[i].dropped(reason);
        }
      }
    };
  }
}
