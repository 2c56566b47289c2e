package io.switchboard.relay.allocation;

import java.net.InetSocketAddress;

/**
 * What identifies an allocation (RFC 8656 section 2): client address, server address, transport. This server
 * speaks UDP only, so the transport is implied.
 */
public record FiveTuple(InetSocketAddress client, InetSocketAddress server) {

  @Override
  public String toString() {
    return "udp " + client + " -> " + server;
  }
}
