package io.switchboard.signaling.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.signaling.session.SessionSocket;
import io.vertx.core.internal.ContextInternal;

import java.util.concurrent.TimeUnit;

/**
 * A session's WebSocket: the last handler of its channel's pipeline, behind Netty's WebSocket decoder and encoder,
 * on the event loop of the edge instance that accepted the connection. Answers pings, runs the closing handshake
 * as Vert.x did (the server closes the TCP connection once the client has answered a close frame, or after
 * {@value #CLOSING_TIMEOUT_SECONDS} s), and hands every frame to the session's listener within the edge's Vert.x
 * context, so the session sees {@code Vertx.currentContext()} as its own loop.
 */
final class NettySessionSocket extends ChannelInboundHandlerAdapter implements SessionSocket {

  /** Vert.x's default WebSocket closing timeout: how long a client may take to answer our close frame. */
  static final long CLOSING_TIMEOUT_SECONDS = 10;

  private final ContextInternal context;
  private ChannelHandlerContext channel;
  private Listener listener;
  private boolean closeSent;
  private boolean closed;
  private ScheduledFuture<?> closingTimeout;

  /** @param context the edge instance's context; its event loop is the channel's */
  NettySessionSocket(ContextInternal context) {
    this.context = context;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.channel = ctx;
  }

  // ---- SessionSocket: on the loop ----

  @Override
  public void listen(Listener listener) {
    this.listener = listener;
    if (!channel.channel().isActive()) {
      reportClosed(); // gone before this handler joined the pipeline: no channelInactive will follow
    }
  }

  @Override
  public void resume() {
    channel.channel().config().setAutoRead(true);
  }

  @Override
  public void writeText(String text, WriteDone done) {
    if (closeSent) {
      // nothing may follow a close frame: the server is ending this session, the message goes with it
      if (done != null) {
        done.done(false);
      }
      return;
    }
    TextWebSocketFrame frame = new TextWebSocketFrame(ByteBufUtil.writeUtf8(channel.alloc(), text));
    if (done == null) {
      channel.writeAndFlush(frame, channel.voidPromise());
    } else {
      channel.writeAndFlush(frame).addListener(f -> done.done(!f.isSuccess()));
    }
  }

  @Override
  public void ping() {
    if (!closeSent) {
      channel.writeAndFlush(new PingWebSocketFrame(), channel.voidPromise());
    }
  }

  @Override
  public void close(short code, String reason) {
    if (closeSent) {
      return;
    }
    closeSent = true;
    channel.writeAndFlush(new CloseWebSocketFrame(code, reason));
    // read on (even if never resumed: a refused join) for the client's answer; its data frames are dropped now
    channel.channel().config().setAutoRead(true);
    // counted from now, not from when the frame has left: a client that stopped reading may never take it
    closingTimeout = channel.executor().schedule(this::closeConnection, CLOSING_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  // ---- Netty: on the loop ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame frame)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      if (closeSent) {
        if (frame instanceof CloseWebSocketFrame) {
          closeConnection(); // the answer to ours
        }
        return; // nothing a client sends after a close frame matters
      }
      if (listener != null) {
        context.dispatch(frame, listener::frame); // first: the session hears of a close before the connection goes
      }
      if (frame instanceof PingWebSocketFrame) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retainedDuplicate()), ctx.voidPromise());
      } else if (frame instanceof CloseWebSocketFrame close && !closeSent) {
        closeSent = true;
        // echoed; the connection closes once the echo is out
        ctx.writeAndFlush(new CloseWebSocketFrame(true, 0, close.content().retainedDuplicate()))
          .addListener(ChannelFutureListener.CLOSE);
      }
    } finally {
      frame.release();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (listener != null) {
      context.dispatch(cause, listener::failed);
    }
    if (cause instanceof CorruptedWebSocketFrameException corrupt && !closeSent) {
      // a frame over the hard cap, or a protocol violation: the decoder discards the rest, the client is told why
      closeSent = true;
      ctx.writeAndFlush(new CloseWebSocketFrame(corrupt.closeStatus())).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close(); // as Vert.x did: a connection that failed is not used again
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (closingTimeout != null) {
      closingTimeout.cancel(false);
      closingTimeout = null;
    }
    reportClosed();
    ctx.fireChannelInactive();
  }

  private void reportClosed() {
    if (!closed && listener != null) {
      closed = true;
      context.dispatch(listener::closed);
    }
  }

  private void closeConnection() {
    closingTimeout = null;
    channel.close();
  }
}
