package io.switchboard.webhook;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.metrics.WebhookMetrics;
import io.switchboard.relay.usage.TurnUsageQuery;
import io.switchboard.testing.WebhookReceiver;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("WebhookDeliverer against a real HTTP receiver: order per room, retries, give-ups, the queue bound")
class WebhookDelivererTest {

  private static final String SECRET = "deliverer-test-0123456789abcdefghijklmnop";
  private static final TurnUsageQuery NO_USAGE = room -> Future.succeededFuture(new JsonObject().put("allocations", 0));

  private Vertx vertx;
  private Context context;
  private WebhookReceiver receiver;
  private SimpleMeterRegistry registry;
  private WebhookDeliverer deliverer;

  @BeforeEach
  void receiver() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    receiver = WebhookReceiver.start(vertx);
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void start(int queueSize, TurnUsageQuery usage) throws Exception {
    SwitchboardConfig.Webhooks config = new SwitchboardConfig.Webhooks(List.of(receiver.url()), List.of(SECRET),
      1000, 50, 200, 1000, 120, queueSize, 500, 1);
    CompletableFuture<WebhookDeliverer> started = new CompletableFuture<>();
    context.runOnContext(v -> {
      WebhookSender sender = new WebhookSender(vertx, config.secrets(), config.requestTimeoutMillis());
      started.complete(new WebhookDeliverer(vertx, config, sender, usage, new WebhookMetrics(registry, () -> 0),
        new LocalOutbox(), System::currentTimeMillis));
    });
    deliverer = started.get(5, TimeUnit.SECONDS);
  }

  private void offer(EventBatch batch) {
    context.runOnContext(v -> deliverer.offer(batch.key(), batch));
  }

  private static EventBatch batch(String room, long version, String... types) {
    List<JsonObject> events = new ArrayList<>();
    for (String type : types) {
      events.add(new JsonObject().put("id", room + "-" + version + "-" + events.size()).put("type", type)
        .put("room", room).put("roomVersion", version));
    }
    return new EventBatch(room, 42, version, System.currentTimeMillis(), events);
  }

  private double deliveries(String result) {
    return registry.get("switchboard.webhook.deliveries").tag("result", result).counter().count();
  }

  /** The counter reaches {@code expected} (the receiver records a request before its answer reaches us). */
  private void awaitDeliveries(String result, double expected) throws InterruptedException {
    for (int i = 0; i < 100 && deliveries(result) < expected; i++) {
      Thread.sleep(20);
    }
    assertEquals(expected, deliveries(result));
  }

  /** Every room's delivered versions, which must be 1..versions in order, each {@code perBatch} times. */
  private void assertInOrder(int rooms, int versions, int perBatch) {
    Map<String, List<Long>> byRoom = new HashMap<>();
    receiver.delivered().forEach(e -> byRoom.computeIfAbsent(e.getString("room"), r -> new ArrayList<>())
      .add(e.getLong("roomVersion")));
    assertEquals(rooms, byRoom.size());
    List<Long> expected = new ArrayList<>();
    for (long v = 1; v <= versions; v++) {
      for (int i = 0; i < perBatch; i++) {
        expected.add(v);
      }
    }
    byRoom.forEach((room, seen) -> assertEquals(expected, seen, room));
  }

  @Test
  @DisplayName("40 rooms x 10 changes offered shuffled from 4 threads: each room in order, rooms side by side")
  void orderUnderConcurrency() throws Exception {
    start(10_000, NO_USAGE);
    receiver.delay(10);
    List<EventBatch> batches = new ArrayList<>();
    for (int room = 0; room < 40; room++) {
      for (int version = 1; version <= 10; version++) {
        batches.add(batch("room-" + room, version, "participant_joined"));
      }
    }
    Collections.shuffle(batches);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      List<EventBatch> share = batches.subList(t * 100, (t + 1) * 100);
      Thread thread = new Thread(() -> share.forEach(this::offer));
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    receiver.await(events -> events.size() >= 400, Duration.ofSeconds(20));
    assertInOrder(40, 10, 1);
    assertEquals(Map.of(), receiver.duplicates());
    assertTrue(receiver.mostConcurrent() > 1, "rooms are delivered side by side: " + receiver.mostConcurrent());
    assertTrue(receiver.requests().stream().allMatch(r -> r.verifies(SECRET)));
    awaitDeliveries("delivered", 400);
  }

  @Test
  @DisplayName("503s, then the receiver's port closed, then back: every event arrives, in order, none given up")
  void outageThenRecovery() throws Exception {
    start(10_000, NO_USAGE);
    receiver.answer(503);
    for (int version = 1; version <= 5; version++) {
      for (int room = 0; room < 3; room++) {
        offer(batch("room-" + room, version, "participant_joined", "participant_left"));
      }
    }
    Thread.sleep(1000);
    receiver.down();
    Thread.sleep(1000);
    receiver.answer(200);
    receiver.up();
    receiver.await(events -> events.size() >= 30, Duration.ofSeconds(20));
    assertInOrder(3, 5, 2);
    assertEquals(Map.of(), receiver.duplicates());
    assertTrue(deliveries("retried") > 0);
    assertEquals(0, deliveries("failed"));
    awaitDeliveries("delivered", 30);
  }

  @Test
  @DisplayName("400 is final: each event is posted once, counted as failed, and the room moves on")
  void permanentRefusal() throws Exception {
    start(10_000, NO_USAGE);
    receiver.answer(400);
    offer(batch("room", 1, "room_started", "participant_joined"));
    offer(batch("room", 2, "participant_left"));
    receiver.await(events -> receiver.requests().size() >= 3, Duration.ofSeconds(10));
    Thread.sleep(500);
    assertEquals(3, receiver.requests().size());
    assertEquals(3, deliveries("failed"));
    assertEquals(0, deliveries("retried"));
  }

  @Test
  @DisplayName("a full queue drops what does not fit and counts it; what fits is delivered once the receiver is back")
  void queueBound() throws Exception {
    start(5, NO_USAGE);
    receiver.down();
    for (int room = 0; room < 8; room++) {
      offer(batch("room-" + room, 1, "room_started"));
    }
    CompletableFuture<Integer> depth = new CompletableFuture<>();
    context.runOnContext(v -> depth.complete(deliverer.depth()));
    assertEquals(5, depth.get(5, TimeUnit.SECONDS));
    assertEquals(3, deliveries("dropped"));
    receiver.up();
    receiver.await(events -> events.size() >= 5, Duration.ofSeconds(10));
    Thread.sleep(300);
    assertEquals(5, receiver.delivered().size());
  }

  @Test
  @DisplayName("room_finished carries the room's TURN usage; without an answer in time it is sent without it")
  void turnUsage() throws Exception {
    Promise<JsonObject> never = Promise.promise();
    start(100, room -> room.equals("slow") ? never.future()
      : Future.succeededFuture(new JsonObject().put("allocations", 2)));
    offer(batch("fast", 1, "participant_left", "room_finished"));
    offer(batch("slow", 1, "room_finished"));
    receiver.await(events -> events.size() >= 3, Duration.ofSeconds(10));
    JsonObject fast = receiver.delivered("fast").get(1);
    assertEquals(new JsonObject().put("allocations", 2), fast.getJsonObject("turnUsage"));
    assertFalse(receiver.delivered("fast").get(0).containsKey("turnUsage"));
    assertFalse(receiver.delivered("slow").get(0).containsKey("turnUsage"));
  }
}
