package io.switchboard.oneport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.vertx.core.spi.transport.Transport;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Carries one HTTP connection of the one-port listener to the node's own HTTP server: the TLS is already off, so
 * the bytes go on, unchanged, over a private Unix socket on which the HTTP server expects a PROXY protocol header
 * first. That header tells it the browser's real address, so the per-address limits, the access log and the
 * {@code /api/limits} view see the browser, not this node. Both directions are bounded: a side that cannot take
 * more stops the other from reading (Netty's writability), so a slow reader never grows a buffer here.
 */
final class HttpSplice {

  private static final System.Logger LOG = System.getLogger(HttpSplice.class.getName());
  /** Bytes queued towards either side before the other side stops reading. */
  private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

  private HttpSplice() {
  }

  /**
   * Connects {@code front} (the accepted connection, TLS handled, not reading) to {@code internal} on the same
   * event loop and starts forwarding; {@code firstBytes} (already read from the front) go first, after the PROXY
   * header. Ownership of {@code firstBytes} passes to the splice.
   */
  static void start(Channel front, ByteBuf firstBytes, Transport transport, SocketAddress internal) {
    front.config().setAutoRead(false);
    front.config().setWriteBufferWaterMark(WATER_MARK);
    // bytes the front had read already in this read batch, kept until the back is connected
    Holding holding = new Holding(firstBytes);
    front.pipeline().addLast("httpSpliceHolding", holding);
    new Bootstrap()
      .group(front.eventLoop())
      .channelFactory(transport.channelFactory(true))
      .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
      .option(ChannelOption.AUTO_READ, false)
      .handler(new Forward(front))
      .connect(internal)
      .addListener((ChannelFutureListener) connected -> {
        if (!connected.isSuccess() || !front.isActive()) {
          if (connected.isSuccess()) {
            connected.channel().close();
          } else {
            LOG.log(System.Logger.Level.WARNING, "one-port: the HTTP server's internal socket refused a "
              + "connection: {0}", connected.cause().toString());
          }
          holding.discard();
          front.close();
          return;
        }
        Channel back = connected.channel();
        back.write(Unpooled.wrappedBuffer(proxyHeader(front.remoteAddress(), front.localAddress())));
        back.writeAndFlush(holding.handOver());
        front.pipeline().replace(holding, "httpSplice", new Forward(back));
        front.config().setAutoRead(true);
        back.config().setAutoRead(true);
      });
  }

  /** PROXY protocol version 1 (the text form): {@code PROXY TCP4 src dst sport dport\r\n}. */
  static byte[] proxyHeader(SocketAddress client, SocketAddress local) {
    if (!(client instanceof InetSocketAddress from) || !(local instanceof InetSocketAddress to)
      || from.getAddress() == null || to.getAddress() == null) {
      return "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
    }
    boolean v4 = from.getAddress() instanceof java.net.Inet4Address && to.getAddress() instanceof java.net.Inet4Address;
    String header = "PROXY " + (v4 ? "TCP4 " : "TCP6 ") + literal(from, v4) + " " + literal(to, v4) + " "
      + from.getPort() + " " + to.getPort() + "\r\n";
    return header.getBytes(StandardCharsets.US_ASCII);
  }

  /** IPv6 peers of an IPv4-mapped pair are written in the IPv6 form, as the protocol asks of mixed pairs. */
  private static String literal(InetSocketAddress address, boolean v4) {
    String text = address.getAddress().getHostAddress();
    if (!v4 && address.getAddress() instanceof java.net.Inet4Address) {
      return "::ffff:" + text;
    }
    int zone = text.indexOf('%');
    return zone < 0 ? text : text.substring(0, zone);
  }

  /** Keeps what the front reads while the back connects; more than the water mark closes the front. */
  private static final class Holding extends ChannelInboundHandlerAdapter {

    private ByteBuf held;

    Holding(ByteBuf first) {
      this.held = first;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf more = (ByteBuf) msg;
      if (held == null || held.readableBytes() + more.readableBytes() > WATER_MARK.high()) {
        more.release();
        ctx.close();
        return;
      }
      held = Unpooled.wrappedBuffer(held, more);
    }

    /** The bytes kept so far, now the caller's to write. */
    ByteBuf handOver() {
      ByteBuf out = held;
      held = null;
      return out;
    }

    void discard() {
      if (held != null) {
        held.release();
        held = null;
      }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      discard(); // a close before the back connected: nothing will write them
    }
  }

  /** Writes what one side reads to the other, stops reading while the other is full, and closes both together. */
  private static final class Forward extends ChannelInboundHandlerAdapter {

    private final Channel other;

    Forward(Channel other) {
      this.other = other;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      other.write(msg, other.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      other.flush();
      if (!other.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      // this side drained: let the other side read again
      if (ctx.channel().isWritable()) {
        other.config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (other.isActive()) {
        other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.log(System.Logger.Level.DEBUG, "one-port HTTP splice: {0}", cause.toString());
      ctx.close();
    }
  }
}
