package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.switchboard.relay.allocation.ClientPath;
import io.switchboard.relay.allocation.ClientTransport;
import io.switchboard.relay.allocation.FiveTuple;

import java.net.InetSocketAddress;

/**
 * A UDP client: answers and data go out on the listening socket as datagrams to its address. Made per STUN message
 * and per allocation, never per ChannelData datagram.
 *
 * @param listener the instance's listening socket
 * @param address  the client's address and port
 * @param server   the listening address (the server side of the five-tuple)
 */
record UdpClient(Channel listener, InetSocketAddress address, InetSocketAddress server) implements ClientPath {

  @Override
  public ClientTransport transport() {
    return ClientTransport.UDP;
  }

  @Override
  public FiveTuple fiveTuple() {
    return new FiveTuple(address, server);
  }

  @Override
  public Channel channel() {
    return listener;
  }

  @Override
  public Object frame(ByteBuf message) {
    return new DatagramPacket(message, address);
  }
}
