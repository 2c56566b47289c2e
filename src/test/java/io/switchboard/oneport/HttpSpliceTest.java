package io.switchboard.oneport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.switchboard.testing.TestPorts;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP half of one-port mode without TLS in the way: a connection whose first byte is not STUN is carried to
 * a real Vert.x HTTP server on a private Unix socket, which sees the client's own address through the PROXY
 * header; a STUN first byte goes to the TURN route instead, with every byte intact.
 */
@DisplayName("one port: HTTP is spliced to the HTTP server with the client's address, STUN is not")
class HttpSpliceTest {

  private Vertx vertx;
  private InternalHttpSocket socket;
  private Channel listener;
  private int port;
  private final AtomicReference<byte[]> turnBytes = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    assertTrue(vertx.isNativeTransportEnabled(), "one-port mode needs the native transport (Unix sockets)");
    socket = InternalHttpSocket.create();
    HttpServer http = vertx.createHttpServer(new HttpServerOptions().setUseProxyProtocol(true))
      .requestHandler(request -> request.response().end(request.remoteAddress().hostAddress() + " "
        + request.remoteAddress().port() + " " + request.path()));
    http.listen(SocketAddress.domainSocketAddress(socket.path().toString())).await(10, TimeUnit.SECONDS);

    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    EventLoop loop = context.nettyEventLoop();
    Transport transport = ((VertxInternal) vertx).transport();
    port = TestPorts.freePort();
    listener = new ServerBootstrap().group(loop, loop).channelFactory(transport.serverChannelFactory(false))
      .childHandler(new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel channel) {
          channel.pipeline().addLast(new FirstBytes(new FirstBytes.Routes() {
            @Override
            public void turn(ChannelHandlerContext ctx) {
              ctx.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext c, Object msg) {
                  ByteBuf buf = (ByteBuf) msg;
                  byte[] bytes = new byte[buf.readableBytes()];
                  buf.readBytes(bytes);
                  buf.release();
                  turnBytes.set(bytes);
                  c.close();
                }
              });
            }

            @Override
            public void http(ChannelHandlerContext ctx, ByteBuf firstBytes) {
              HttpSplice.start(ctx.channel(), firstBytes, transport,
                transport.convert(SocketAddress.domainSocketAddress(socket.path().toString())));
            }
          }, 5000));
        }
      }).bind(InetAddress.getLoopbackAddress(), port).sync().channel();
  }

  @AfterEach
  void stop() throws Exception {
    if (listener != null) {
      listener.close().sync();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
    socket.delete();
  }

  @Test
  @DisplayName("two requests on one kept-alive connection reach the HTTP server, which sees the client's port")
  void httpIsSplicedWithTheClientsAddress() throws Exception {
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
      client.setSoTimeout(5000);
      OutputStream out = client.getOutputStream();
      InputStream in = client.getInputStream();
      for (String path : new String[] {"/first", "/second"}) {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String response = readResponse(in);
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertTrue(response.endsWith("127.0.0.1 " + client.getLocalPort() + " " + path), response);
      }
    }
  }

  @Test
  @DisplayName("a STUN first byte goes to the TURN route with every byte, and nothing reaches the HTTP server")
  void stunGoesToTurn() throws Exception {
    byte[] binding = new byte[20];
    binding[1] = 0x01; // Binding request, no attributes
    binding[4] = 0x21;
    binding[5] = 0x12;
    binding[6] = (byte) 0xA4;
    binding[7] = 0x42;
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
      client.setSoTimeout(5000);
      client.getOutputStream().write(binding);
      client.getOutputStream().flush();
      assertEquals(-1, client.getInputStream().read(), "the TURN route closes after reading");
    }
    assertEquals(20, turnBytes.get().length);
    assertEquals(0x2112A442, java.nio.ByteBuffer.wrap(turnBytes.get(), 4, 4).getInt());
  }

  /** One HTTP/1.1 response with a Content-Length body. */
  private static String readResponse(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return head + new String(body, StandardCharsets.US_ASCII);
  }
}
