package io.switchboard.webhook;

import io.switchboard.testing.Http;
import io.switchboard.testing.LogCapture;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WebhookReceiver;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Webhooks of a real node: what presence does, in order, signed, through a receiver outage")
class WebhookNodeTest {

  static final String CURRENT = "webhook-current-0123456789abcdefghijklmn";
  static final String NEXT = "webhook-next-0123456789abcdefghijklmnopqr";
  private static final Vertx RECEIVER_VERTX = Vertx.vertx();
  private static final WebhookReceiver RECEIVER = WebhookReceiver.start(RECEIVER_VERTX);

  @RegisterExtension
  static final SwitchboardNodes NODE = SwitchboardNodes.single(webhooksTo(RECEIVER, 1));

  /** Overrides for a node posting to {@code receiver}: short, many retries and a short grace period. */
  static JsonObject webhooksTo(WebhookReceiver receiver, int drainSeconds) {
    return new JsonObject()
      .put("webhooks", new JsonObject().put("urls", new JsonArray().add(receiver.url()))
        .put("secrets", new JsonArray().add(CURRENT).add(NEXT))
        .put("minBackoffMillis", 50).put("maxBackoffMillis", 300).put("maxAttempts", 1000)
        .put("drainSeconds", drainSeconds))
      .put("rooms", new JsonObject().put("gracePeriodSeconds", 1));
  }

  @AfterAll
  static void closeReceiver() throws Exception {
    RECEIVER.close();
    RECEIVER_VERTX.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("join, kick, drop and resume, leave, replacement, grace expiry: the exact sequence, each signed")
  void lifecycle() {
    String room = TestNode.unique("hooks");
    TestNode node = NODE.node();
    WsClient alice = NODE.join("alice", room);
    WsClient bob = NODE.join("bob", room);
    WsClient carol = NODE.join("carol", room);
    assertEquals(200, Http.delete(node.port(), "/api/rooms/" + room + "/participants/" + carol.id(),
      node.adminToken()).status());
    RECEIVER.awaitSequence(room, 5, Duration.ofSeconds(10));

    alice.close(); // no leave: the session waits in its grace period
    Metrics.awaitValue(() -> Metrics.value(node.port(), "switchboard_grace_sessions"), 1, 5000);
    WsClient resumed = WsClient.resume(NODE.client(), node.port(), node.token("alice", room), alice.resumeToken());
    assertEquals(alice.id(), resumed.id());
    bob.send(new JsonObject().put("type", "leave"));
    RECEIVER.awaitSequence(room, 7, Duration.ofSeconds(10));
    WsClient again = NODE.join("alice", room); // the same identity: replaces the resumed session
    again.close(); // and drops; nobody resumes it
    List<String> sequence = RECEIVER.awaitSequence(room, 11, Duration.ofSeconds(10));

    assertEquals(List.of("room_started", "participant_joined", "participant_joined", "participant_joined",
      "participant_left:kicked", "participant_resumed", "participant_left:left", "participant_left:replaced",
      "participant_joined", "participant_left:disconnected", "room_finished"), sequence);
    List<JsonObject> events = RECEIVER.delivered(room);
    assertEquals(List.of(alice.id(), bob.id(), carol.id(), carol.id(), alice.id(), bob.id(), alice.id(), again.id(),
      again.id()), events.subList(1, 10).stream().map(e -> e.getJsonObject("participant").getString("id")).toList());
    Set<String> ids = new HashSet<>();
    events.forEach(e -> ids.add(e.getString("id")));
    assertEquals(11, ids.size(), "every event has its own id");
    JsonObject finished = events.get(10);
    assertTrue(finished.getJsonObject("turnUsage").containsKey("allocations"), finished.encode());
    RECEIVER.requests().stream().filter(r -> r.event().getString("room").equals(room)).forEach(r -> {
      assertTrue(r.verifies(CURRENT), "verifies with the current secret");
      assertTrue(r.verifies(NEXT), "verifies with the next secret");
    });
    Metrics.awaitValue(() -> Metrics.value(node.port(), "switchboard_webhook_queue_depth"), 0, 5000);
    assertTrue(Metrics.value(node.port(), "switchboard_webhook_deliveries_total{result=\"delivered\"}") >= 11);
    assertTrue(Metrics.value(node.port(), "switchboard_webhook_delivery_latency_seconds_count") >= 11);
  }

  @Test
  @DisplayName("503s, then the receiver's port closed, then back: every event of two rooms arrives, in order, once")
  void receiverOutage() throws Exception {
    String first = TestNode.unique("outage");
    String second = TestNode.unique("outage");
    RECEIVER.answer(503);
    try {
      WsClient a = NODE.join("a", first);
      WsClient b = NODE.join("b", second);
      WsClient c = NODE.join("c", first);
      a.send(new JsonObject().put("type", "leave"));
      c.send(new JsonObject().put("type", "leave"));
      b.send(new JsonObject().put("type", "leave"));
      Thread.sleep(1000);
      RECEIVER.down();
      Thread.sleep(1500);
    } finally {
      RECEIVER.answer(200);
      RECEIVER.up();
    }
    assertEquals(List.of("room_started", "participant_joined", "participant_joined", "participant_left:left",
      "participant_left:left", "room_finished"), RECEIVER.awaitSequence(first, 6, Duration.ofSeconds(15)));
    assertEquals(List.of("room_started", "participant_joined", "participant_left:left", "room_finished"),
      RECEIVER.awaitSequence(second, 4, Duration.ofSeconds(15)));
    assertEquals(Map.of(), RECEIVER.duplicates());
    assertTrue(Metrics.value(NODE.port(), "switchboard_webhook_deliveries_total{result=\"retried\"}") > 0);
    assertEquals(0, Metrics.value(NODE.port(), "switchboard_webhook_deliveries_total{result=\"failed\"}"));
  }

  @Test
  @DisplayName("a single node stopping with events pending: they get webhooks.drainSeconds to be delivered")
  void drainOnStop() throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(RECEIVER_VERTX);
    TestNode node = TestNode.start(webhooksTo(receiver, 5));
    String room = TestNode.unique("drain");
    receiver.answer(503);
    WsClient.join(NODE.client(), node.port(), node.token("alice", room));
    receiver.await(events -> receiver.requests().size() >= 2, Duration.ofSeconds(10));
    Thread thread = new Thread(() -> {
      sleep(1500);
      receiver.answer(200);
    });
    thread.start();
    node.close(); // alice's session is closed, leaves, the room finishes; the receiver answers 200 during the drain
    thread.join();
    assertEquals(List.of("room_started", "participant_joined", "participant_left:disconnected",
      "room_finished"), receiver.sequence(room), "a node stopping alone: its sessions leave (nobody can resume them)");
    receiver.close();
  }

  @Test
  @DisplayName("a single node stopping while its receiver stays down: after webhooks.drainSeconds the rest is lost, "
    + "and the log says how much; no secret or signature in the log")
  void lostOnStop() throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(RECEIVER_VERTX);
    TestNode node = TestNode.start(webhooksTo(receiver, 1));
    String room = TestNode.unique("lost");
    receiver.answer(503);
    WsClient.join(NODE.client(), node.port(), node.token("alice", room));
    receiver.await(events -> receiver.requests().size() >= 2, Duration.ofSeconds(10));
    try (LogCapture log = LogCapture.install()) {
      long started = System.nanoTime();
      node.close();
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(millis >= 900 && millis < 10_000, "the drain took " + millis + " ms");
      List<String> lines = log.lines();
      assertTrue(lines.stream().anyMatch(l -> l.contains("4 webhook events not delivered before stopping; they are "
        + "lost")), String.join("", lines));
      String signature = receiver.requests().get(0).signature();
      assertTrue(lines.stream().noneMatch(l -> l.contains(CURRENT) || l.contains(NEXT)
        || l.contains(signature.substring(signature.indexOf("v1=") + 3))));
    }
    assertEquals(List.of(), receiver.sequence(room), "nothing was answered 2xx");
    receiver.close();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
