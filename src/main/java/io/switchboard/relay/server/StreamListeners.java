package io.switchboard.relay.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.switchboard.relay.allocation.ClientTransport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.TcpConfig;
import io.vertx.core.spi.transport.Transport;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The TCP and TLS listening sockets of one relay instance: Netty server channels made with Vert.x's transport (NIO
 * or native epoll), with the instance's event loop as both acceptor and child loop, so every accepted connection
 * lives on that loop and hands its allocation nothing to share. With several instances each binds the same port
 * with SO_REUSEPORT and the kernel spreads the connections, as it spreads the clients of the UDP port.
 */
final class StreamListeners {

  /** Connections waiting to be accepted. */
  private static final int BACKLOG = 1024;

  private final Transport transport;
  private final EventLoop loop;
  private final boolean reusePort;
  private final List<Channel> bound = new ArrayList<>();

  StreamListeners(Transport transport, EventLoop loop, boolean reusePort) {
    this.transport = transport;
    this.loop = loop;
    this.reusePort = reusePort;
  }

  /** Listens for TURN over TCP on {@code address}; the future completes on the instance's event loop. */
  Future<Void> listenTcp(InetSocketAddress address, TurnStreams streams) {
    return bind(address, ClientTransport.TCP.label(), new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel channel) {
        streams.attach(channel, ClientTransport.TCP);
      }
    });
  }

  /** Listens for TURN over TLS on {@code address}: each connection's handshake with the context in service now. */
  Future<Void> listenTls(InetSocketAddress address, TurnStreams streams, TurnTlsContext tls) {
    return bind(address, ClientTransport.TLS.label(), new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel channel) {
        channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
        streams.attach(channel, ClientTransport.TLS);
      }
    });
  }

  /** Listens on {@code address} for the one-port listener, whose connections {@code init} sets up. */
  Future<Void> listenOnePort(InetSocketAddress address, ChannelInitializer<Channel> init) {
    return bind(address, "tcp (one-port)", init);
  }

  private Future<Void> bind(InetSocketAddress address, String label, ChannelInitializer<Channel> init) {
    ServerBootstrap bootstrap = new ServerBootstrap().group(loop, loop)
      .channelFactory(transport.serverChannelFactory(false))
      .childHandler(init);
    transport.configure(new TcpConfig().setSoReusePort(reusePort), false, bootstrap);
    bootstrap.option(ChannelOption.SO_BACKLOG, BACKLOG).childOption(ChannelOption.TCP_NODELAY, true);
    Promise<Void> done = Promise.promise();
    ChannelFuture binding = bootstrap.bind(address);
    binding.addListener(f -> {
      if (f.isSuccess()) {
        bound.add(binding.channel());
        done.complete();
      } else {
        done.fail(new IllegalStateException("relay cannot listen on " + label + " "
          + address.getAddress().getHostAddress() + ":" + address.getPort() + ": "
          + f.cause().getMessage(), f.cause()));
      }
    });
    return done.future();
  }

  /** Stops accepting; connections already open are closed by {@link TurnStreams#closeAll}. */
  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (Channel channel : bound) {
      Promise<Void> closed = Promise.promise();
      channel.close().addListener(f -> closed.complete());
      closing.add(closed.future());
    }
    bound.clear();
    return Future.all(closing).mapEmpty();
  }
}
