package io.switchboard.relay.server;

import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.ClientTransport;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Relay events as log lines, at DEBUG (java.util.logging FINE): allocations, permissions, channels, refused peers,
 * failed authentications and TCP/TLS connections the relay closed. Never a password, key or nonce; user names are
 * not logged either.
 */
public final class LoggingRelayEvents implements RelayEvents {

  private static final System.Logger LOG = System.getLogger(LoggingRelayEvents.class.getName());

  @Override
  public void allocationCreated(Allocation allocation) {
    LOG.log(System.Logger.Level.DEBUG, "relay: {0} created", allocation);
  }

  @Override
  public void allocationDeleted(Allocation allocation, DeleteReason reason) {
    LOG.log(System.Logger.Level.DEBUG, "relay: {0} deleted ({1})", allocation, reason);
  }

  @Override
  public void permissionCreated(Allocation allocation, InetAddress peer) {
    LOG.log(System.Logger.Level.DEBUG, "relay: {0} permits {1}", allocation, peer.getHostAddress());
  }

  @Override
  public void channelBound(Allocation allocation, int number, InetSocketAddress peer) {
    LOG.log(System.Logger.Level.DEBUG, "relay: {0} bound channel 0x{1} to {2}", allocation,
      Integer.toHexString(number), peer);
  }

  @Override
  public void peerRefused(Allocation allocation, InetAddress peer) {
    LOG.log(System.Logger.Level.DEBUG, "relay: {0} refused peer {1} (peer policy)", allocation, peer.getHostAddress());
  }

  @Override
  public void authFailure(AuthFailure reason, InetSocketAddress client) {
    LOG.log(System.Logger.Level.DEBUG, "relay: authentication failed for {0}: {1}", client, reason);
  }

  @Override
  public void streamClosed(ClientTransport transport, StreamClose reason) {
    if (reason != StreamClose.CLIENT_CLOSED) {
      LOG.log(System.Logger.Level.DEBUG, "relay: closed a {0} connection: {1}", transport.label(), reason);
    }
  }
}
