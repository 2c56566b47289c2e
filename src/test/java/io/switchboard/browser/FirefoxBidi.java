package io.switchboard.browser;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebDriver BiDi session with a {@link HeadlessFirefox}, spoken directly over the browser's own BiDi WebSocket
 * (Firefox's remote agent, {@code --remote-debugging-port}): there is no geckodriver here, and evaluating a script in
 * the page is all the tests need. Commands are {@code {id, method, params}}; answers carry the same {@code id}
 * (https://w3c.github.io/webdriver-bidi/). Events are not subscribed to, so none arrive.
 */
final class FirefoxBidi implements AutoCloseable {

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);

  private final WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger();

  private FirefoxBidi(WebSocket.Builder builder, URI endpoint) {
    this.socket = builder.buildAsync(endpoint, new Answers()).join();
  }

  /** Connects to the BiDi endpoint {@code ws://host:port/session} and opens a session. */
  static FirefoxBidi connect(URI endpoint) {
    FirefoxBidi bidi = new FirefoxBidi(HttpClient.newHttpClient().newWebSocketBuilder()
      .connectTimeout(COMMAND_TIMEOUT), endpoint);
    bidi.command("session.new", new JsonObject().put("capabilities", new JsonObject()));
    return bidi;
  }

  /**
   * Evaluates {@code expression} in the browser's first top-level page and waits for it, and for the promise it
   * returns; the value must be a string (have the page JSON-encode anything else).
   *
   * @throws IllegalStateException when the script throws or rejects
   */
  String evaluate(String expression) {
    JsonArray contexts = command("browsingContext.getTree", new JsonObject().put("maxDepth", 0))
      .getJsonArray("contexts");
    String context = contexts.getJsonObject(0).getString("context");
    JsonObject evaluated = command("script.evaluate", new JsonObject()
      .put("expression", expression)
      .put("target", new JsonObject().put("context", context))
      .put("awaitPromise", true));
    if (!"success".equals(evaluated.getString("type"))) {
      throw new IllegalStateException("the page script failed: " + evaluated.getJsonObject("exceptionDetails"));
    }
    JsonObject value = evaluated.getJsonObject("result");
    if (!"string".equals(value.getString("type"))) {
      throw new IllegalStateException("the page script returned " + value.encode() + ", not a string");
    }
    return value.getString("value");
  }

  /** Sends a command and waits for its result; an error answer or no answer in time throws. */
  private JsonObject command(String method, JsonObject params) {
    int id = nextId.incrementAndGet();
    CompletableFuture<JsonObject> answer = new CompletableFuture<>();
    pending.put(id, answer);
    socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true);
    try {
      JsonObject message = answer.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!"success".equals(message.getString("type"))) {
        throw new IllegalStateException("BiDi " + method + " failed: " + message.encode());
      }
      return message.getJsonObject("result");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during BiDi " + method, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("no answer to BiDi " + method + " within " + COMMAND_TIMEOUT.toSeconds()
        + " s", e);
    } finally {
      pending.remove(id);
    }
  }

  /** Ends the session and closes the socket; the browser itself goes with {@link HeadlessFirefox#close()}. */
  @Override
  public void close() {
    try {
      command("session.end", new JsonObject());
    } finally {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> null).join();
    }
  }

  /** Joins a message's fragments and hands each answer to the command waiting for it. */
  private final class Answers implements WebSocket.Listener {

    private final StringBuilder message = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      message.append(data);
      if (last) {
        JsonObject answer = new JsonObject(message.toString());
        message.setLength(0);
        CompletableFuture<JsonObject> waiting = answer.getInteger("id") == null ? null
          : pending.get(answer.getInteger("id"));
        if (waiting != null) {
          waiting.complete(answer);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      IllegalStateException closed = new IllegalStateException("the BiDi socket closed: " + statusCode + " " + reason);
      pending.values().forEach(waiting -> waiting.completeExceptionally(closed));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      pending.values().forEach(waiting -> waiting.completeExceptionally(error));
    }
  }
}
