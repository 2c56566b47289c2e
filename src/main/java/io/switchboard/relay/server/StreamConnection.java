package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.relay.allocation.ClientPath;
import io.switchboard.relay.allocation.ClientTransport;
import io.switchboard.relay.allocation.FiveTuple;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client's TCP or TLS connection (RFC 8656 section 3.1): the last handler of its pipeline, it cuts the stream
 * into messages ({@link StreamFraming}) and hands each to {@link TurnStreams}, and it is the way back to the client
 * ({@link ClientPath}): answers and relayed data are written on the connection itself. A message is handed on as a
 * retained slice of the received bytes (pooled and recycled by Netty, so nothing is allocated per message), which a
 * relayed datagram then forwards without a copy.
 *
 * <p>It closes the connection, once, with a counted reason: bytes that are not TURN or a message beyond the maximum
 * at once; no authenticated request within the authentication timeout (which also bounds the TLS handshake); its
 * allocation deleted. When it closes for any reason, its allocation is deleted (the two are bound together).
 */
final class StreamConnection extends ByteToMessageDecoder implements ClientPath {

  private static final System.Logger LOG = System.getLogger(StreamConnection.class.getName());

  private final TurnStreams streams;
  private final Channel channel;
  private final ClientTransport transport;
  private final FiveTuple fiveTuple;
  private ScheduledFuture<?> authTimer;
  private boolean authenticated;
  /** Why the relay closed the connection; null while open or when the client closed it. */
  private RelayEvents.StreamClose reason;

  StreamConnection(TurnStreams streams, Channel channel, ClientTransport transport) {
    this.streams = streams;
    this.channel = channel;
    this.transport = transport;
    this.fiveTuple = new FiveTuple((InetSocketAddress) channel.remoteAddress(),
      (InetSocketAddress) channel.localAddress(), transport);
  }

  /** Starts the authentication timer and watches for the connection's end; on the channel's event loop. */
  void start(long authTimeoutMillis) {
    authTimer = channel.eventLoop().schedule(this::authTimedOut, authTimeoutMillis, TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(f -> ended());
  }

  // ---- ClientPath ----

  @Override
  public ClientTransport transport() {
    return transport;
  }

  @Override
  public InetSocketAddress address() {
    return fiveTuple.client();
  }

  @Override
  public FiveTuple fiveTuple() {
    return fiveTuple;
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public Object frame(ByteBuf message) {
    return message; // STUN answers are multiples of four bytes; ChannelData is padded by the data path
  }

  @Override
  public void authenticated() {
    if (!authenticated) {
      authenticated = true;
      authTimer.cancel(false);
    }
  }

  @Override
  public void allocationEnded() {
    // after the current task, so an answer being written now (Refresh with LIFETIME 0) goes out first
    channel.eventLoop().execute(() -> closeAfterFlush(RelayEvents.StreamClose.ALLOCATION_ENDED));
  }

  // ---- closing ----

  /** Closes at once (what is still queued is discarded), counted as {@code why} unless a reason is set already. */
  void close(RelayEvents.StreamClose why) {
    if (reason == null && channel.isActive()) {
      reason = why;
    }
    channel.close();
  }

  private void closeAfterFlush(RelayEvents.StreamClose why) {
    if (reason != null || !channel.isActive()) {
      return;
    }
    reason = why;
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  private void authTimedOut() {
    if (!authenticated) {
      close(handshakeDone() ? RelayEvents.StreamClose.AUTH_TIMEOUT : RelayEvents.StreamClose.HANDSHAKE_TIMEOUT);
    }
  }

  private boolean handshakeDone() {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    return ssl == null || ssl.handshakeFuture().isSuccess();
  }

  private void ended() {
    if (authTimer != null) {
      authTimer.cancel(false);
    }
    streams.ended(this, reason == null ? RelayEvents.StreamClose.CLIENT_CLOSED : reason);
  }

  // ---- reading ----

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable()) {
      if (reason != null || !channel.isActive()) {
        in.skipBytes(in.readableBytes()); // closing: nothing more is handled
        return;
      }
      int length = StreamFraming.messageLength(in, UdpChannels.MAX_DATAGRAM);
      if (length == StreamFraming.INCOMPLETE) {
        return;
      }
      if (length < 0) {
        close(length == StreamFraming.TOO_LARGE ? RelayEvents.StreamClose.TOO_LARGE
          : RelayEvents.StreamClose.NOT_TURN);
        continue;
      }
      int onStream = StreamFraming.streamLength(length);
      if (in.readableBytes() < onStream) {
        return;
      }
      ByteBuf message = in.retainedSlice(in.readerIndex(), length);
      in.skipBytes(onStream);
      try {
        streams.fromClient(message, this);
      } catch (RuntimeException e) {
        // a hostile message never takes the connection's event loop (or anyone else's allocation) down
        streams.events().dropped(RelayEvents.Drop.INTERNAL_ERROR);
        LOG.log(System.Logger.Level.WARNING, "relay: message from " + fiveTuple + " failed", e);
      } finally {
        message.release();
      }
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    in.skipBytes(in.readableBytes()); // the connection is gone: a partial message is dropped
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    super.channelReadComplete(ctx);
    streams.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    // a client that does not read its answers stops being read: its queued bytes stay below the high water mark
    channel.config().setAutoRead(channel.isWritable());
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
      close(RelayEvents.StreamClose.HANDSHAKE_FAILED);
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(System.Logger.Level.DEBUG, "relay {0}: {1}", fiveTuple, cause.toString());
    close(handshakeDone() ? RelayEvents.StreamClose.RESET : RelayEvents.StreamClose.HANDSHAKE_FAILED);
  }
}
