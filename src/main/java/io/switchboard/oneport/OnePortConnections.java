package io.switchboard.oneport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.transport.Transport;

import java.util.function.Consumer;

/**
 * Sets up each connection of the one-port listener: TLS, then {@link FirstBytes}, which hands the connection to the
 * relay's TURN-over-TLS handling or splices it to the HTTP server ({@link HttpSplice}). Whoever binds the port (a
 * relay instance, on its own event loop, so the TURN side stays single-threaded) passes this as the initializer.
 */
public final class OnePortConnections {

  private final OnePortTls tls;
  private final Transport transport;
  private final java.net.SocketAddress internalHttp;
  private final long firstBytesTimeoutMillis;
  private final Consumer<Channel> turn;

  /**
   * @param turn takes a connection that speaks TURN: called on the channel's event loop, it adds the TURN handling
   *             at the end of the pipeline (or closes the connection when over a limit)
   */
  public OnePortConnections(OnePortSetup setup, Transport transport, Consumer<Channel> turn) {
    this.firstBytesTimeoutMillis = setup.firstBytesTimeout().toMillis();
    this.tls = new OnePortTls(setup.certificate(), firstBytesTimeoutMillis);
    this.transport = transport;
    this.internalHttp = transport.convert(SocketAddress.domainSocketAddress(setup.internalHttpSocket().toString()));
    this.turn = turn;
  }

  public ChannelInitializer<Channel> initializer() {
    FirstBytes.Routes routes = new FirstBytes.Routes() {
      @Override
      public void turn(ChannelHandlerContext ctx) {
        turn.accept(ctx.channel());
      }

      @Override
      public void http(ChannelHandlerContext ctx, ByteBuf firstBytes) {
        HttpSplice.start(ctx.channel(), firstBytes, transport, internalHttp);
      }
    };
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel channel) {
        channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
        channel.pipeline().addLast("firstBytes", new FirstBytes(routes, firstBytesTimeoutMillis));
      }
    };
  }
}
