package io.switchboard.testing;

import io.switchboard.webhook.WebhookSignature;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A webhook receiver for tests: a real Vert.x HTTP server on loopback that records every request (body, signature
 * header, the status it answered) and can answer 503, go down (its port closed) and come back on the same port.
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One request: what it carried and what it was answered. */
  public record Request(int answered, String signature, String body, long atMillis) {

    public JsonObject event() {
      return new JsonObject(body);
    }

    /** Whether the signature verifies under {@code secret} now (5 minutes' tolerance). */
    public boolean verifies(String secret) {
      return signature != null && WebhookSignature.verify(signature, body.getBytes(StandardCharsets.UTF_8), secret,
        System.currentTimeMillis() / 1000, 300);
    }
  }

  private final Vertx vertx;
  private final int port;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile long delayMillis;
  private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger mostOpen = new java.util.concurrent.atomic.AtomicInteger();
  private HttpServer server;

  private WebhookReceiver(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
  }

  /** A receiver on a free loopback port, answering 200. */
  public static WebhookReceiver start(Vertx vertx) {
    WebhookReceiver receiver = new WebhookReceiver(vertx, TestPorts.freePort());
    receiver.up();
    return receiver;
  }

  public String url() {
    return "http://127.0.0.1:" + port + "/hooks/switchboard";
  }

  /** Answers {@code code} from now on (200, 503, 400...). */
  public void answer(int code) {
    status = code;
  }

  /** Answers only after {@code millis} (each request on its own timer). */
  public void delay(long millis) {
    delayMillis = millis;
  }

  /** Closes the port: connections are refused until {@link #up}. */
  public void down() {
    if (server != null) {
      await(server.close());
      server = null;
    }
  }

  /** Listens again, on the same port. */
  public void up() {
    server = await(vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1"));
  }

  private void handle(HttpServerRequest request) {
    mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    request.body().onSuccess(body -> {
      int code = status;
      Runnable answer = () -> {
        requests.add(new Request(code, request.getHeader(WebhookSignature.HEADER),
          body.toString(StandardCharsets.UTF_8), System.currentTimeMillis()));
        open.decrementAndGet();
        request.response().setStatusCode(code).end();
      };
      if (delayMillis > 0) {
        vertx.setTimer(delayMillis, id -> answer.run());
      } else {
        answer.run();
      }
    });
  }

  /** The most requests this receiver was answering at once. */
  public int mostConcurrent() {
    return mostOpen.get();
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The events answered 2xx, in the order they arrived. */
  public List<JsonObject> delivered() {
    List<JsonObject> events = new ArrayList<>();
    for (Request request : requests) {
      if (request.answered() / 100 == 2) {
        events.add(request.event());
      }
    }
    return events;
  }

  /** The delivered events of {@code room}, in arrival order. */
  public List<JsonObject> delivered(String room) {
    return delivered().stream().filter(e -> room.equals(e.getString("room"))).toList();
  }

  /** The types of {@link #delivered(String)}, with the reason of each participant_left (type:reason). */
  public List<String> sequence(String room) {
    return delivered(room).stream().map(e -> e.getString("type")
      + (e.containsKey("reason") ? ":" + e.getString("reason") : "")).toList();
  }

  /** How often each event id was delivered, for those delivered more than once. */
  public Map<String, Integer> duplicates() {
    Map<String, Integer> counts = new HashMap<>();
    delivered().forEach(e -> counts.merge(e.getString("id"), 1, Integer::sum));
    counts.values().removeIf(n -> n == 1);
    return counts;
  }

  /** Waits until the delivered events satisfy {@code done}; fails with what arrived otherwise. */
  public List<JsonObject> await(Predicate<List<JsonObject>> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<JsonObject> events = delivered();
      if (done.test(events)) {
        return events;
      }
      sleep(20);
    }
    throw new AssertionError("webhooks not delivered within " + timeout + "; got " + delivered());
  }

  /** Waits until {@code room}'s delivered sequence ({@link #sequence}) has {@code count} entries. */
  public List<String> awaitSequence(String room, int count, Duration timeout) {
    await(events -> sequence(room).size() >= count, timeout);
    return sequence(room);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("receiver did not change state", e);
    }
  }

  @Override
  public void close() {
    down();
  }
}
