package io.switchboard.webhook;

import io.switchboard.testing.Http;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.ProcessCluster;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WebhookReceiver;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@DisplayName("Webhooks of node processes in a cluster: once per cluster, in room order, through a killed node")
class WebhookClusterIT {

  private static final String SECRET = "cluster-webhook-0123456789abcdefghijklmn";
  private static WebSocketClient client;
  private static WebhookReceiver receiver;

  @BeforeAll
  static void start(Vertx vertx) {
    client = WsClient.newClient(vertx);
    receiver = WebhookReceiver.start(vertx);
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  private static Map<String, String> env(int graceSeconds) {
    return Map.of("SWITCHBOARD_WEBHOOKS_URLS", receiver.url(), "SWITCHBOARD_WEBHOOKS_SECRETS", SECRET,
      "SWITCHBOARD_WEBHOOKS_MIN_BACKOFF_MILLIS", "100", "SWITCHBOARD_WEBHOOKS_MAX_BACKOFF_MILLIS", "500",
      "SWITCHBOARD_WEBHOOKS_MAX_ATTEMPTS", "1000",
      "SWITCHBOARD_ROOMS_GRACE_PERIOD_SECONDS", Integer.toString(graceSeconds));
  }

  private static WsClient join(NodeProcess node, String identity, String room) {
    return WsClient.join(client, node.port(), TestTokens.participant(identity, room, null));
  }

  private static void leave(WsClient session) {
    session.send(new JsonObject().put("type", "leave"));
  }

  @Test
  @DisplayName("four rooms, each with a participant on each of three nodes: every event exactly once, in order")
  void oncePerClusterInOrder() {
    try (ProcessCluster cluster = ProcessCluster.start(3, 3, env(2))) {
      List<String> rooms = new ArrayList<>();
      List<List<WsClient>> sessions = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        String room = TestNode.unique("spread");
        rooms.add(room);
        List<WsClient> members = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
          members.add(join(cluster.node((n + r) % 3), "user-" + n, room));
        }
        sessions.add(members);
      }
      for (int r = 0; r < 4; r++) {
        List<WsClient> members = sessions.get(r);
        // each step after the one before has been delivered: the expected order is the order of the changes
        leave(members.get(1));
        receiver.awaitSequence(rooms.get(r), 5, Duration.ofSeconds(10));
        NodeProcess admin = cluster.node(r % 3);
        assertEquals(200, Http.delete(admin.port(), "/api/rooms/" + rooms.get(r) + "/participants/"
          + members.get(2).id(), TestTokens.admin()).status());
        receiver.awaitSequence(rooms.get(r), 6, Duration.ofSeconds(10));
        leave(members.get(0));
      }
      for (String room : rooms) {
        assertEquals(List.of("room_started", "participant_joined", "participant_joined", "participant_joined",
            "participant_left:left", "participant_left:kicked", "participant_left:left", "room_finished"),
          receiver.awaitSequence(room, 8, Duration.ofSeconds(15)), room);
        assertVersionsInOrder(room);
      }
      quiet(1000); // anything sent twice would have arrived by now
      for (String room : rooms) {
        assertEquals(8, receiver.delivered(room).size(), room + ": nothing more than once");
      }
      assertEquals(Map.of(), receiver.duplicates());
      assertTrue(receiver.requests().stream().allMatch(r -> r.verifies(SECRET)));
    }
  }

  @Test
  @DisplayName("receiver down, the room's deliverer killed: the survivors deliver everything, node-lost once")
  void deliverersNodeKilled() {
    receiver.answer(503);
    try (ProcessCluster cluster = ProcessCluster.start(3, 3, env(2))) {
      String room = TestNode.unique("killed");
      List<WsClient> members = new ArrayList<>();
      for (int n = 0; n < 3; n++) {
        members.add(join(cluster.node(n), "user-" + n, room));
      }
      int deliverer = awaitDeliverer(cluster);
      cluster.node(deliverer).kill();
      // the killed node's participant waits out its grace period (2 s), then leaves as node-lost
      quiet(4000);
      receiver.answer(200);
      List<String> expected = List.of("room_started", "participant_joined", "participant_joined",
        "participant_joined", "participant_left:node-lost");
      assertEquals(expected, receiver.awaitSequence(room, 5, Duration.ofSeconds(20)));
      assertEquals(members.get(deliverer).id(), receiver.delivered(room).get(4).getJsonObject("participant")
        .getString("id"));
      for (int n = 0; n < 3; n++) {
        if (n != deliverer) {
          leave(members.get(n));
        }
      }
      List<String> all = receiver.awaitSequence(room, 8, Duration.ofSeconds(15));
      assertEquals(List.of("participant_left:left", "participant_left:left", "room_finished"), all.subList(5, 8));
      assertVersionsInOrder(room);
      quiet(1000);
      assertEquals(8, receiver.delivered(room).size());
    } finally {
      receiver.answer(200);
    }
  }

  @Test
  @DisplayName("receiver down, the room's deliverer stopped with SIGTERM: its pending events are delivered by the "
    + "others once the receiver is back")
  void deliverersNodeStopped() {
    receiver.answer(503);
    try (ProcessCluster cluster = ProcessCluster.start(2, 2, env(1))) {
      String room = TestNode.unique("stopped");
      WsClient first = join(cluster.node(0), "user-0", room);
      WsClient second = join(cluster.node(1), "user-1", room);
      int deliverer = awaitDeliverer(cluster);
      NodeProcess stopping = cluster.node(deliverer);
      stopping.terminate();
      stopping.waitForExit(Duration.ofSeconds(30));
      assertTrue(stopping.logText().contains("stopped"), "drained and stopped: " + stopping.tail());
      receiver.answer(200);
      List<WsClient> members = List.of(first, second);
      // the stopped node's participant was told to go elsewhere; it did not resume, so it left when its node did
      assertEquals(List.of("room_started", "participant_joined", "participant_joined", "participant_left:node-lost"),
        receiver.awaitSequence(room, 4, Duration.ofSeconds(20)));
      assertEquals(members.get(deliverer).id(), receiver.delivered(room).get(3).getJsonObject("participant")
        .getString("id"));
      leave(members.get(1 - deliverer));
      assertEquals(List.of("participant_left:left", "room_finished"),
        receiver.awaitSequence(room, 6, Duration.ofSeconds(15)).subList(4, 6));
      quiet(1000);
      assertEquals(6, receiver.delivered(room).size());
    } finally {
      receiver.answer(200);
    }
  }

  /** The node holding the room's pending events (the receiver answers 503, so they stay): its queue is not empty. */
  private static int awaitDeliverer(ProcessCluster cluster) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (int n = 0; n < cluster.nodes().size(); n++) {
        if (Metrics.value(cluster.node(n).port(), "switchboard_webhook_queue_depth") > 0) {
          return n;
        }
      }
      quiet(100);
    }
    throw new AssertionError("no node holds the room's events");
  }

  /** Each delivered event's room version is at least the one before it (the room's order). */
  private static void assertVersionsInOrder(String room) {
    long previous = 0;
    for (JsonObject event : receiver.delivered(room)) {
      long version = event.getLong("roomVersion");
      assertTrue(version >= previous, room + ": version " + version + " after " + previous);
      previous = version;
    }
  }

  private static void quiet(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
