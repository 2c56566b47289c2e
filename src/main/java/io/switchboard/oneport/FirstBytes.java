package io.switchboard.oneport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Decides, once per connection of the one-port listener, whether it carries TURN or HTTP: by ALPN when the client
 * offered it ({@code stun.turn}, RFC 7443, or an HTTP protocol), else by the first byte after the handshake. A
 * TURN client speaks first with a STUN request, whose first two bits are 0 (RFC 8489 section 5); ChannelData
 * cannot come first, since no channel is bound on a new connection. Every HTTP request line starts with a method
 * name in capital letters, whose first two bits are 01. So one byte is enough, and nothing is consumed: the
 * chosen handler sees the bytes from the start.
 */
final class FirstBytes extends ChannelInboundHandlerAdapter {

  /** ALPN protocol id of TURN over TLS (RFC 7443). */
  static final String ALPN_TURN = "stun.turn";

  /** Where a classified connection goes; called on its event loop, before this handler leaves the pipeline. */
  interface Routes {
    /** Adds the TURN stream handling at the end of the pipeline; the first bytes are then fired into it. */
    void turn(ChannelHandlerContext ctx);

    /** Takes the connection to the HTTP server, with the bytes read so far (ownership passes). */
    void http(ChannelHandlerContext ctx, ByteBuf firstBytes);
  }

  private final Routes routes;
  private final long timeoutMillis;
  private ScheduledFuture<?> timeout;

  /**
   * @param timeoutMillis the connection is closed when its first bytes (TLS handshake included) have not come by
   *                      then; the HTTP server and the TURN handling each have their own timers afterwards
   */
  FirstBytes(Routes routes, long timeoutMillis) {
    this.routes = routes;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timeout = ctx.executor().schedule(() -> {
      ctx.close();
    }, timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    timeout.cancel(false);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // a failed or timed-out handshake, a reset: nothing was classified, nothing else to undo
    System.getLogger(FirstBytes.class.getName()).log(System.Logger.Level.DEBUG, "one-port connection from {0}: {1}",
      ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  /** True when the first byte of a connection starts a STUN message. */
  static boolean startsStun(byte first) {
    return (first & 0xC0) == 0;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    if (!buf.isReadable()) {
      buf.release();
      return;
    }
    boolean turn = switch (negotiated(ctx)) {
      case ALPN_TURN -> true;
      case "" -> startsStun(buf.getByte(buf.readerIndex()));
      default -> false;
    };
    // the chosen handlers are added while this one is still in place, so its context passes the bytes to them
    if (turn) {
      routes.turn(ctx);
      ctx.pipeline().remove(this);
      ctx.fireChannelRead(buf);
    } else {
      routes.http(ctx, buf);
      ctx.pipeline().remove(this);
    }
  }

  private static String negotiated(ChannelHandlerContext ctx) {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    String protocol = ssl == null ? null : ssl.applicationProtocol();
    return protocol == null ? "" : protocol;
  }
}
