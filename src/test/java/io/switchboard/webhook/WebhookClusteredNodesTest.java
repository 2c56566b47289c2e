package io.switchboard.webhook;

import com.hazelcast.map.IMap;
import io.switchboard.cluster.HazelcastSetup;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WebhookReceiver;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("Webhooks of two clustered nodes in one JVM: a room spread over both, each event once, in order")
class WebhookClusteredNodesTest {

  private static final Vertx RECEIVER_VERTX = Vertx.vertx();
  private static final WebhookReceiver RECEIVER = WebhookReceiver.start(RECEIVER_VERTX);

  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.cluster(2, WebhookNodeTest.webhooksTo(RECEIVER, 1));

  @AfterAll
  static void closeReceiver() throws Exception {
    RECEIVER.close();
    RECEIVER_VERTX.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("members joining and leaving on alternate nodes, in three rooms: the exact sequence per room, once")
  void spreadRooms() {
    List<String> rooms = List.of(TestNode.unique("two"), TestNode.unique("two"), TestNode.unique("two"));
    for (String room : rooms) {
      WsClient first = NODES.join(0, "first", room, null);
      WsClient second = NODES.join(1, "second", room, null);
      WsClient third = NODES.join(0, "third", room, null);
      second.send(new JsonObject().put("type", "leave"));
      first.expect("peer-joined");
      first.expect("peer-joined");
      first.expect("peer-left");
      first.send(new JsonObject().put("type", "leave"));
      third.expect("peer-left");
      third.send(new JsonObject().put("type", "leave"));
    }
    for (String room : rooms) {
      assertEquals(List.of("room_started", "participant_joined", "participant_joined", "participant_joined",
          "participant_left:left", "participant_left:left", "participant_left:left", "room_finished"),
        RECEIVER.awaitSequence(room, 8, Duration.ofSeconds(15)), room);
    }
    assertEquals(Map.of(), RECEIVER.duplicates());
  }

  @Test
  @DisplayName("a session dropped on one node and resumed on the other: participant_resumed, once")
  void resumedElsewhere() {
    String room = TestNode.unique("moved");
    TestNode first = NODES.node(0);
    WsClient alice = NODES.join(0, "alice", room, null);
    WsClient bob = NODES.join(1, "bob", room, null);
    alice.close();
    Metrics.awaitValue(() -> Metrics.value(first.port(), "switchboard_grace_sessions"), 1, 5000);
    WsClient again = WsClient.resume(NODES.client(), NODES.node(1).port(), first.token("alice", room),
      alice.resumeToken());
    assertEquals(alice.id(), again.id());
    again.send(new JsonObject().put("type", "leave"));
    bob.expect("peer-left"); // nothing before it: the resume is invisible to peers
    bob.send(new JsonObject().put("type", "leave"));
    assertEquals(List.of("room_started", "participant_joined", "participant_joined", "participant_resumed",
      "participant_left:left", "participant_left:left", "room_finished"),
      RECEIVER.awaitSequence(room, 7, Duration.ofSeconds(15)));
    assertEquals(alice.id(), RECEIVER.delivered(room).get(3).getJsonObject("participant").getString("id"));
  }

  @Test
  @DisplayName("a batch the room's previous owner delivered while this one waited for its predecessor: not sent again")
  void deliveredByThePreviousOwner() throws Exception {
    String room = TestNode.unique("migrated");
    IMap<String, String> outbox = NODES.node(0).hazelcast().getMap(HazelcastSetup.WEBHOOKS_MAP);
    EventBatch second = batch(room, 2);
    EventBatch third = batch(room, 3);
    // version 2 of a room whose version 1 the owner never saw, as after a migration: it waits the reorder window
    await(outbox.submitToKey(room, new OutboxProcessors.Append(second.key(), second.encode(), 100)));
    // meanwhile the member that owned the room before delivers it and removes it, as its deliverer does
    await(outbox.submitToKey(room, new OutboxProcessors.Remove(second.key())));
    await(outbox.submitToKey(room, new OutboxProcessors.Append(third.key(), third.encode(), 100)));
    // per room in order: once version 3 is there, version 2 would have been delivered before it
    RECEIVER.await(events -> !RECEIVER.delivered(room).isEmpty(), Duration.ofSeconds(15));
    assertEquals(List.of(room + "-3"), RECEIVER.delivered(room).stream().map(e -> e.getString("id")).toList());
  }

  private static EventBatch batch(String room, long version) {
    JsonObject event = new JsonObject().put("id", room + "-" + version).put("type", "participant_joined")
      .put("room", room).put("roomVersion", version);
    return new EventBatch(room, 7, version, System.currentTimeMillis(), List.of(event));
  }

  private static <T> T await(CompletionStage<T> stage)
    throws ExecutionException, InterruptedException, TimeoutException {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
