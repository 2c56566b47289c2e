package io.switchboard.signaling.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.Map;

/**
 * Turns a {@code GET /ws} request that Vert.x parsed and the edge accepted into a WebSocket of Netty's own: Netty's
 * handshaker answers 101 and swaps the channel's HTTP codec for its WebSocket codec, and a {@link NettySessionSocket}
 * takes the place of Vert.x's connection handler at the end of the pipeline. The channel stays on the event loop it
 * was accepted on, which is the edge instance's. Nothing of the HTTP request (Vert.x's connection, request,
 * response, the routing context) stays reachable from the socket, and the socket needs no queue of its own.
 */
final class WebSocketUpgrade {

  /** The name Vert.x gives its connection handler, the last of an HTTP/1.1 server channel's pipeline. */
  private static final String VERTX_HANDLER = "handler";

  private final WebSocketDecoderConfig decoder;

  /** @param maxFramePayloadLength a frame larger than this closes the connection with 1009, unread */
  WebSocketUpgrade(int maxFramePayloadLength) {
    this.decoder = WebSocketDecoderConfig.newBuilder()
      .maxFramePayloadLength(maxFramePayloadLength)
      // no compression: a deflater costs hundreds of KiB per socket, and signaling frames are small
      .allowExtensions(false)
      .allowMaskMismatch(false)
      // the socket tells the client why (through the encoder) and closes
      .closeOnProtocolViolation(false)
      .build();
  }

  /**
   * Completes the handshake of {@code request} (on its event loop, once the edge has checked it); the socket reads
   * nothing until resumed. Null when the handshake cannot be made: a WebSocket version Netty does not speak is
   * answered here (426, as Vert.x answered), a request its handshaker refuses (no key) is left to the caller.
   */
  NettySessionSocket accept(HttpServerRequest request) {
    FullHttpRequest head = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, request.uri(),
      Unpooled.EMPTY_BUFFER, nettyHeaders(request.headers()), EmptyHttpHeaders.INSTANCE);
    WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location(request), null, decoder)
      .newHandshaker(head);
    if (handshaker == null) {
      request.response().putHeader(HttpHeaderNames.SEC_WEBSOCKET_VERSION, WebSocketVersion.V13.toHttpHeaderValue())
        .setStatusCode(426).end();
      return null;
    }
    Channel channel = ((ConnectionBase) request.connection()).channel();
    try {
      handshaker.handshake(channel, head);
    } catch (WebSocketHandshakeException e) {
      return null;
    }
    // still within this event-loop task: nothing has been read with the WebSocket decoder yet
    channel.config().setAutoRead(false);
    NettySessionSocket socket = new NettySessionSocket((ContextInternal) Vertx.currentContext());
    channel.pipeline().replace(VERTX_HANDLER, "session", socket);
    return socket;
  }

  /** Vert.x keeps an HTTP/1.1 request's headers in Netty's form; copied only if some other form ever shows up. */
  private static HttpHeaders nettyHeaders(MultiMap headers) {
    if (headers instanceof HttpHeaders netty) {
      return netty;
    }
    HttpHeaders copy = new DefaultHttpHeaders();
    for (Map.Entry<String, String> header : headers) {
      copy.add(header.getKey(), header.getValue());
    }
    return copy;
  }

  /** Only the oldest WebSocket drafts send it back; never the query (it may hold a token). */
  private static String location(HttpServerRequest request) {
    return (request.isSSL() ? "wss://" : "ws://") + request.getHeader("Host") + request.path();
  }
}
