package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * One connection of a benchmark participant, asynchronous throughout (the benchmarks react to a socket closing
 * on the event loop that sees it, as a browser does). {@link #open} completes with the connection once
 * {@code welcome} has arrived; a {@code resume-failed} error before it is kept. Frames after {@code welcome} go to
 * {@code onFrame}, the close to {@code onClose}, both on the connection's event loop.
 */
final class BenchClient {

  private final WebSocket socket;
  private final Promise<BenchClient> welcomed = Promise.promise();
  private final Handler<JsonObject> onFrame;
  private volatile JsonObject welcome;
  private volatile JsonObject resumeError;
  /** {@code System.nanoTime()} when welcome arrived. */
  private volatile long welcomeNanos;

  private BenchClient(WebSocket socket, Handler<JsonObject> onFrame, Handler<BenchClient> onClose) {
    this.socket = socket;
    this.onFrame = onFrame;
    socket.textMessageHandler(this::onText);
    socket.closeHandler(v -> {
      welcomed.tryFail("closed before welcome");
      if (onClose != null) {
        onClose.handle(this);
      }
    });
    socket.exceptionHandler(e -> { });
  }

  /**
   * Connects with {@code access_token=token} (and {@code resume=resumeToken} unless null); completes when
   * {@code welcome} arrives.
   */
  static Future<BenchClient> open(WebSocketClient client, int port, String token, String resumeToken,
                                  Handler<JsonObject> onFrame, Handler<BenchClient> onClose) {
    return open(client, "127.0.0.1", port, token, resumeToken, onFrame, onClose);
  }

  /** As {@link #open(WebSocketClient, int, String, String, Handler, Handler)}, to {@code host}. */
  static Future<BenchClient> open(WebSocketClient client, String host, int port, String token, String resumeToken,
                                  Handler<JsonObject> onFrame, Handler<BenchClient> onClose) {
    String uri = "/ws?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
      + (resumeToken == null ? "" : "&resume=" + URLEncoder.encode(resumeToken, StandardCharsets.UTF_8));
    ClientWebSocket socket = client.webSocket(); // handlers before the upgrade, or welcome may come first
    BenchClient bench = new BenchClient(socket, onFrame, onClose);
    return socket.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI(uri))
      .compose(connected -> bench.welcomed.future());
  }

  private void onText(String text) {
    JsonObject frame = new JsonObject(text);
    if (welcome == null) {
      String type = frame.getString("type");
      if ("welcome".equals(type)) {
        welcomeNanos = System.nanoTime();
        welcome = frame;
        welcomed.tryComplete(this);
      } else if ("error".equals(type) && "resume-failed".equals(frame.getString("code"))) {
        resumeError = frame;
      } else {
        welcomed.tryFail("first frame is not welcome: " + text);
      }
      return;
    }
    if (onFrame != null) {
      onFrame.handle(frame);
    }
  }

  JsonObject welcome() {
    return welcome;
  }

  String id() {
    return welcome.getString("id");
  }

  String resumeToken() {
    return welcome.getString("resumeToken");
  }

  boolean resumed() {
    return Boolean.TRUE.equals(welcome.getBoolean("resumed"));
  }

  JsonObject resumeError() {
    return resumeError;
  }

  long welcomeNanos() {
    return welcomeNanos;
  }

  Future<Void> send(JsonObject frame) {
    return socket.writeTextMessage(frame.encode());
  }

  /** {@code leave}, then the close the server answers it with. */
  Future<Void> leave() {
    return send(new JsonObject().put("type", "leave"));
  }

  /** Closes without {@code leave}: the server suspends the session (grace period). */
  Future<Void> close() {
    return socket.close();
  }

  boolean isClosed() {
    return socket.isClosed();
  }
}
