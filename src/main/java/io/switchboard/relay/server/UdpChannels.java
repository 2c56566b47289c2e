package io.switchboard.relay.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.spi.transport.Transport;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Makes the relay's Netty datagram channels (the listener and one relay socket per allocation) with Vert.x's
 * transport (NIO or native epoll) and binds them on the verticle's event loop, so everything stays on one thread.
 */
final class UdpChannels {

  /** Largest datagram read; WebRTC never sends more than about 1200-1500 bytes in one. */
  static final int MAX_DATAGRAM = 8192;
  /** Bytes queued on one socket before datagrams to it are dropped (counted as BACKPRESSURE). */
  private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 512 * 1024);

  private final Transport transport;
  private final EventLoop loop;

  UdpChannels(Transport transport, EventLoop loop) {
    this.transport = transport;
    this.loop = loop;
  }

  DatagramChannel newChannel(InetAddress address, ChannelInboundHandlerAdapter handler, boolean reusePort) {
    DatagramChannel channel = transport.datagramChannel(address instanceof Inet4Address
      ? InternetProtocolFamily.IPv4 : InternetProtocolFamily.IPv6);
    transport.configure(channel, new DatagramSocketOptions().setReusePort(reusePort));
    channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM));
    channel.config().setWriteBufferWaterMark(WATER_MARK);
    channel.pipeline().addLast(handler);
    return channel;
  }

  /** Registers {@code channel} on the verticle's event loop and binds it; the future completes on that loop. */
  ChannelFuture register(Channel channel, InetSocketAddress local) {
    ChannelFuture registered = loop.register(channel);
    ChannelPromise done = channel.newPromise();
    registered.addListener(r -> {
      if (!r.isSuccess()) {
        done.setFailure(r.cause());
        return;
      }
      channel.bind(local).addListener(b -> {
        if (b.isSuccess()) {
          done.setSuccess();
        } else {
          channel.close();
          done.setFailure(b.cause());
        }
      });
    });
    return done;
  }
}
