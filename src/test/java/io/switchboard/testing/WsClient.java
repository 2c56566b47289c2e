package io.switchboard.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A test participant: a real WebSocket client that records every text frame it receives and how the socket
 * closed. Its blocking helpers are for the JUnit thread only.
 */
public final class WsClient {

  /** How long one exchange (an upgrade, a frame and its answer) may take. */
  public static final Duration WAIT = Duration.ofSeconds(5);
  /** What each further operation done at once adds to {@link #WAIT} ({@link #waitFor}). */
  private static final Duration PER_OPERATION = Duration.ofMillis(200);

  private final WebSocket socket;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();
  private JsonObject welcome;
  /** The error that came before welcome when a resume was refused ({@code resume-failed}), else null. */
  private JsonObject resumeError;

  private WsClient(WebSocket socket) {
    this.socket = socket;
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
  }

  public static WebSocketClient newClient(Vertx vertx) {
    // the default caps a client at 50 sockets per server; tests open far more
    return vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000)
      .setMaxFrameSize(4 * 1024 * 1024).setMaxMessageSize(4 * 1024 * 1024));
  }

  /** A client for {@code wss://} that trusts the test CA in the PEM file {@code ca} and nothing else. */
  public static WebSocketClient newTlsClient(Vertx vertx, Path ca) {
    return vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000)
      .setMaxFrameSize(4 * 1024 * 1024).setMaxMessageSize(4 * 1024 * 1024)
      .setSsl(true).setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
  }

  /** Opens a socket with the token in {@code access_token}; does not wait for anything. */
  public static Future<WsClient> open(WebSocketClient client, int port, String token) {
    return open(client, port, token, null);
  }

  /** Opens a socket, asking to resume the session of {@code resumeToken} when it is not null. */
  public static Future<WsClient> open(WebSocketClient client, int port, String token, String resumeToken) {
    String uri = "/ws" + (token == null ? "" : "?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))
      + (resumeToken == null ? "" : "&resume=" + URLEncoder.encode(resumeToken, StandardCharsets.UTF_8));
    // handlers first, then connect: welcome follows the 101 at once, and a frame that arrives before the
    // handler is set is dropped (it happened when the test thread chained the handlers after the upgrade)
    ClientWebSocket socket = client.webSocket();
    WsClient opened = new WsClient(socket);
    return socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
      .map(connected -> opened);
  }

  /**
   * Connects with {@code resume=resumeToken} and waits for {@code welcome}; a refused resume's
   * {@code resume-failed} error before it is kept in {@link #resumeError()}.
   */
  public static WsClient resume(WebSocketClient client, int port, String token, String resumeToken) {
    WsClient connected = await(open(client, port, token, resumeToken));
    JsonObject first = connected.next();
    if ("error".equals(first.getString("type"))) {
      assertEquals("resume-failed", first.getString("code"), "the only error before welcome: " + first);
      connected.resumeError = first;
      first = connected.next();
    }
    assertEquals("welcome", first.getString("type"), "expected welcome: " + first);
    connected.welcome = first;
    return connected;
  }

  /** The {@code resume-failed} error that preceded welcome, or null when the session was resumed or is new. */
  public JsonObject resumeError() {
    return resumeError;
  }

  /** The resume token of the latest welcome. */
  public String resumeToken() {
    return welcome.getString("resumeToken");
  }

  /** Opens a socket and waits for {@code welcome}. */
  public static WsClient join(WebSocketClient client, int port, String token) {
    WsClient connected = await(open(client, port, token));
    JsonObject welcome = connected.next();
    assertEquals("welcome", welcome.getString("type"), "first frame must be welcome: " + welcome);
    connected.welcome = welcome;
    return connected;
  }

  /** The HTTP status and JSON body of a refused upgrade. */
  public static UpgradeRejectedException refusal(WebSocketClient client, int port, String token) {
    try {
      await(open(client, port, token));
    } catch (UpgradeRejectedException e) {
      return e;
    }
    throw new AssertionError("upgrade was accepted");
  }

  public JsonObject welcome() {
    return welcome;
  }

  public String id() {
    return welcome.getString("id");
  }

  /**
   * The deadline for {@code operations} upgrades or joins started at once: the server handles them one after
   * another in places (presence), so the last may wait for all the others.
   */
  public static Duration waitFor(int operations) {
    return WAIT.plus(PER_OPERATION.multipliedBy(operations));
  }

  public JsonObject next() {
    return next(WAIT);
  }

  /** The next frame, which must arrive within {@code deadline}. */
  public JsonObject next(Duration deadline) {
    JsonObject frame = poll(deadline.toMillis());
    assertNotNull(frame, "no frame within " + deadline);
    return frame;
  }

  /** The next frame, which must be of {@code type}. */
  public JsonObject expect(String type) {
    JsonObject frame = next();
    assertEquals(type, frame.getString("type"), "unexpected frame " + frame);
    return frame;
  }

  /** The next frame, which must be an error with {@code code}. */
  public JsonObject expectError(String code) {
    JsonObject frame = expect("error");
    assertEquals(code, frame.getString("code"), "unexpected error " + frame);
    return frame;
  }

  /** The next frame if one arrives within {@code millis}, else null. */
  public JsonObject poll(long millis) {
    try {
      return frames.poll(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** The next frame, which must be of {@code type} and arrive within {@code timeout}. */
  public JsonObject expectWithin(String type, Duration timeout) {
    JsonObject frame = poll(timeout.toMillis());
    assertNotNull(frame, "no " + type + " within " + timeout);
    assertEquals(type, frame.getString("type"), "unexpected frame " + frame);
    return frame;
  }

  /**
   * Sends {@code ping} and asserts that {@code pong} is the very next frame. The server writes to a session in
   * the order it issued the writes, so nothing it had issued to this session before it read the ping can come
   * after the pong: this proves a frame never comes, not that it is merely slow, provided whatever would have
   * sent it was handled before (see {@link #expectQuiet}).
   */
  public void expectPongNext() {
    send(new JsonObject().put("type", "ping"));
    assertEquals(new JsonObject().put("type", "pong"), next(), "nothing may come before pong");
  }

  /**
   * Asserts that nothing the earlier frames of {@code sessions} caused is on its way to any of them: each answers
   * a ping in turn ({@link #expectPongNext}), twice round. A session's frames are handled in order, so after the
   * first round every earlier frame of every one of them has been handled and whatever it relayed was issued,
   * ahead of the second round's pongs. That covers frames relayed on one node; a presence change (peer-joined,
   * peer-left) takes another path: follow it with a later change the receiver must see.
   */
  public static void expectQuiet(WsClient... sessions) {
    for (int round = 0; round < 2; round++) {
      for (WsClient session : sessions) {
        session.expectPongNext();
      }
    }
  }

  /**
   * Asserts nothing arrives for {@code millis}. It also passes when the server is merely slow: prefer
   * {@link #expectPongNext} or a marker frame the session must get first.
   */
  public void expectNothing(long millis) {
    assertNull(poll(millis), "unexpected frame");
  }

  public void send(JsonObject frame) {
    await(socket.writeTextMessage(frame.encode()));
  }

  public void sendText(String text) {
    await(socket.writeTextMessage(text));
  }

  public void sendBinary(byte[] bytes) {
    await(socket.writeBinaryMessage(Buffer.buffer(bytes)));
  }

  /** Waits for {@code future} at most {@link #WAIT}; its own failure is rethrown as is. */
  public static <T> T await(Future<T> future) {
    return await(future, WAIT);
  }

  /** Waits for {@code future} at most {@code deadline} (see {@link #waitFor}); its own failure is rethrown as is. */
  public static <T> T await(Future<T> future, Duration deadline) {
    try {
      return future.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("not done within " + deadline, e);
    }
  }

  public WebSocket socket() {
    return socket;
  }

  /** Waits for the server to close the socket; returns the close code. */
  public short awaitClose() {
    try {
      return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket not closed within " + WAIT, e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  public void close() {
    if (!closed.isDone()) {
      socket.close();
    }
  }
}
