package io.switchboard.relay.allocation;

import java.net.InetSocketAddress;

/**
 * What identifies an allocation (RFC 8656 section 2): client address, server address, transport. A UDP client and a
 * TCP client with the same address and port are different five-tuples, hence different allocations.
 */
public record FiveTuple(InetSocketAddress client, InetSocketAddress server, ClientTransport transport) {

  /** A UDP five-tuple. */
  public FiveTuple(InetSocketAddress client, InetSocketAddress server) {
    this(client, server, ClientTransport.UDP);
  }

  @Override
  public String toString() {
    return transport.label() + " " + client + " -> " + server;
  }
}
