package io.switchboard.relay.allocation;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.net.InetSocketAddress;

/**
 * The client side of a five-tuple and the way back to it: the UDP listener towards the client's address, or the
 * client's own stream connection. Answers and relayed data are written on {@link #channel()} as {@link #frame}
 * makes them. Used on the relay instance's event loop only.
 */
public interface ClientPath {

  ClientTransport transport();

  /** The client's address and port (what XOR-MAPPED-ADDRESS tells it, what nonces and budgets are keyed by). */
  InetSocketAddress address();

  FiveTuple fiveTuple();

  /** The channel messages to this client are written on. */
  Channel channel();

  /** What to write on {@link #channel()} for {@code message}: a datagram to the client, or the bytes themselves. */
  Object frame(ByteBuf message);

  /** A request from this client passed authentication (a stream connection stops its authentication timer). */
  default void authenticated() {
  }

  /** The live allocation of this five-tuple ended (a stream connection then closes: they are bound together). */
  default void allocationEnded() {
  }
}
