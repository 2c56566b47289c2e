package io.switchboard.signaling.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.signaling.session.SessionSocket;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket's own protocol duties, on Netty's EmbeddedChannel (frames in and out as objects, the codec is Netty's
 * and tested there): pings, the closing handshake both ways, protocol violations, writes and their completion.
 */
@DisplayName("NettySessionSocket: pings, closing handshake, writes")
class NettySessionSocketTest {

  private Vertx vertx;
  private EmbeddedChannel channel;
  private NettySessionSocket socket;
  private final List<String> heard = new ArrayList<>();

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    socket = new NettySessionSocket((ContextInternal) vertx.getOrCreateContext());
    channel = new EmbeddedChannel(socket);
    socket.listen(new SessionSocket.Listener() {
      @Override
      public void frame(WebSocketFrame frame) {
        heard.add(frame.getClass().getSimpleName());
      }

      @Override
      public void failed(Throwable cause) {
        heard.add("failed");
      }

      @Override
      public void closed() {
        heard.add("closed");
      }
    });
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
    vertx.close().await();
  }

  @Test
  @DisplayName("a ping is answered with a pong of the same payload, and the session hears it (liveness)")
  void ping() {
    channel.writeInbound(new PingWebSocketFrame(Unpooled.copiedBuffer("p", StandardCharsets.UTF_8)));
    PongWebSocketFrame pong = channel.readOutbound();
    assertEquals("p", pong.content().toString(StandardCharsets.UTF_8));
    pong.release();
    assertEquals(List.of("PingWebSocketFrame"), heard);
  }

  @Test
  @DisplayName("the client's close is echoed with its code, then the connection closes; the session hears it once")
  void clientCloses() {
    channel.writeInbound(new CloseWebSocketFrame(1000, "bye"));
    CloseWebSocketFrame echo = channel.readOutbound();
    assertEquals(1000, echo.statusCode());
    echo.release();
    assertFalse(channel.isOpen());
    assertEquals(List.of("CloseWebSocketFrame", "closed"), heard);
  }

  @Test
  @DisplayName("the server's close: its frame goes out, reading resumes for the answer, data after it is dropped,"
    + " the answer closes the connection")
  void serverCloses() {
    channel.config().setAutoRead(false);
    socket.close((short) 4003, "room-full");
    CloseWebSocketFrame sent = channel.readOutbound();
    assertEquals(4003, sent.statusCode());
    assertEquals("room-full", sent.reasonText());
    sent.release();
    assertTrue(channel.config().isAutoRead());
    channel.writeInbound(new TextWebSocketFrame("{\"type\":\"ping\"}"));
    assertTrue(channel.isOpen());
    channel.writeInbound(new CloseWebSocketFrame(4003, ""));
    assertFalse(channel.isOpen());
    assertNull(channel.readOutbound(), "no second close frame");
    assertEquals(List.of("closed"), heard);
  }

  @Test
  @DisplayName("a frame the decoder refuses (over the hard cap) is answered with its close code, and the connection"
    + " closes")
  void protocolViolation() {
    channel.pipeline().fireExceptionCaught(
      new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG, "Max frame length exceeded"));
    CloseWebSocketFrame sent = channel.readOutbound();
    assertEquals(1009, sent.statusCode());
    sent.release();
    assertFalse(channel.isOpen());
    assertEquals(List.of("failed", "closed"), heard);
  }

  @Test
  @DisplayName("a text write goes out as one text frame and reports when it has left; none after a close")
  void writes() {
    List<String> done = new ArrayList<>();
    socket.writeText("{\"type\":\"pong\"}", lost -> done.add("first lost=" + lost));
    TextWebSocketFrame frame = channel.readOutbound();
    assertInstanceOf(TextWebSocketFrame.class, frame);
    assertEquals("{\"type\":\"pong\"}", frame.text());
    frame.release();
    assertEquals(List.of("first lost=false"), done);
    socket.close((short) 1000, "");
    ((CloseWebSocketFrame) channel.readOutbound()).release();
    socket.writeText("late", lost -> done.add("late lost=" + lost));
    assertNull(channel.readOutbound());
    assertEquals(List.of("first lost=false", "late lost=false"), done,
      "a write after the server's close reports (the queue accounting stays right), and is not kept");
  }

  @Test
  @DisplayName("a write to a connection that is already gone reports the message lost, so the session keeps it")
  void writeToAGoneConnection() {
    List<Boolean> lost = new ArrayList<>();
    channel.close(); // as a reset does, before the session has heard of it
    socket.writeText("{\"type\":\"message\"}", lost::add);
    channel.runPendingTasks();
    assertEquals(List.of(true), lost);
  }
}
