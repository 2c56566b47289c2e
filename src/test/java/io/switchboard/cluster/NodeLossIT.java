package io.switchboard.cluster;

import io.switchboard.testing.Http;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.ProcessCluster;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@DisplayName("Node processes coming and going: SIGKILL, a member joining a running cluster, SIGTERM")
class NodeLossIT {

  private static WebSocketClient client;
  /** A short grace period: a lost session is announced when it ends, unless its client resumes it first. */
  private static final Map<String, String> SHORT_GRACE = Map.of("SWITCHBOARD_ROOMS_GRACE_PERIOD_SECONDS", "2");

  @BeforeAll
  static void client(Vertx vertx) {
    client = WsClient.newClient(vertx);
  }

  private static WsClient join(NodeProcess node, String identity, String room) {
    return WsClient.join(client, node.port(), TestTokens.participant(identity, room, null));
  }

  private static Set<String> participantIds(NodeProcess node, String room) {
    Http.Response response = Http.get(node.port(), "/api/rooms/" + room, TestTokens.admin());
    Set<String> ids = new HashSet<>();
    if (response.status() == 200) {
      response.json().getJsonArray("participants").forEach(p -> ids.add(((JsonObject) p).getString("id")));
    }
    return ids;
  }

  /** alice on the first node and bob on the second, in one room; alice has seen bob arrive. */
  private record Pair(WsClient alice, WsClient bob) {
    static Pair join(ProcessCluster cluster, String room) {
      WsClient alice = NodeLossIT.join(cluster.node(0), "alice", room);
      WsClient bob = NodeLossIT.join(cluster.node(1), "bob", room);
      alice.expect("peer-joined");
      return new Pair(alice, bob);
    }
  }

  /** Polls the admin API of {@code node} until the room holds exactly {@code expected}, then asserts it. */
  private static void awaitParticipants(NodeProcess node, String room, Set<String> expected, Duration within)
    throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!participantIds(node, room).equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(expected, participantIds(node, room));
  }

  /** Collects peer-left frames until {@code expected} ids have left; returns id → reason. */
  private static Map<String, String> awaitLeft(WsClient observer, Set<String> expected, Duration within) {
    Map<String, String> reasons = new HashMap<>();
    long deadline = System.nanoTime() + within.toNanos();
    while (!reasons.keySet().containsAll(expected) && System.nanoTime() < deadline) {
      JsonObject frame = observer.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      if (frame != null && frame.getString("type").equals("peer-left")) {
        reasons.put(frame.getString("id"), frame.getString("reason"));
      }
    }
    assertTrue(reasons.keySet().containsAll(expected), "peer-left within " + within + ": " + reasons);
    return reasons;
  }

  @Test
  @DisplayName("SIGKILL of a node: the others announce its participants as node-lost within 10 s plus the grace "
    + "period, and keep no stale entry")
  void killedNode() throws InterruptedException {
    try (ProcessCluster cluster = ProcessCluster.start(3, 3, SHORT_GRACE)) {
      String room = TestNode.unique("room");
      WsClient alice = join(cluster.node(0), "alice", room);
      WsClient bob = join(cluster.node(1), "bob", room);
      WsClient dave = join(cluster.node(1), "dave", room);
      WsClient carol = join(cluster.node(2), "carol", room);
      assertEquals(4, participantIds(cluster.node(0), room).size());

      long killedAt = System.nanoTime();
      cluster.node(1).kill();
      Set<String> lost = Set.of(bob.id(), dave.id());
      assertEquals(Map.of(bob.id(), "node-lost", dave.id(), "node-lost"),
        awaitLeft(alice, lost, Duration.ofSeconds(13)));
      long elapsedMs = (System.nanoTime() - killedAt) / 1_000_000;
      assertEquals(Map.of(bob.id(), "node-lost", dave.id(), "node-lost"),
        awaitLeft(carol, lost, Duration.ofSeconds(13).minusMillis(elapsedMs)));

      // the map is cleaned too: every survivor reports only the survivors, a newcomer sees only them
      awaitParticipants(cluster.node(0), room, Set.of(alice.id(), carol.id()), Duration.ofSeconds(10));
      awaitParticipants(cluster.node(2), room, Set.of(alice.id(), carol.id()), Duration.ofSeconds(10));
      // room counts are corrected too, not only the member list
      JsonArray rooms = Http.get(cluster.node(0).port(), "/api/rooms", TestTokens.admin()).json().getJsonArray("rooms");
      JsonObject counted = rooms.stream().map(JsonObject.class::cast).filter(r -> r.getString("room").equals(room))
        .findFirst().orElseThrow();
      assertEquals(2, counted.getInteger("participants"), counted.encode());
      WsClient erin = join(cluster.node(2), "erin", room);
      Set<String> peers = new HashSet<>();
      erin.welcome().getJsonArray("peers").forEach(p -> peers.add(((JsonObject) p).getString("id")));
      assertEquals(Set.of(alice.id(), carol.id()), peers);
      assertEquals(2, Http.get(cluster.node(0).port(), "/health", null).json().getJsonObject("cluster")
        .getInteger("members"));
      alice.send(new JsonObject().put("type", "offer").put("to", erin.id()).put("sdp", "v=0"));
      assertEquals(alice.id(), erin.expect("offer").getString("from"));
    }
  }

  @Test
  @DisplayName("a member joining a running cluster serves sessions that see and reach peers on the other members")
  void joiningMember() {
    try (ProcessCluster cluster = ProcessCluster.start(2, 3, Map.of())) {
      String room = TestNode.unique("room");
      Pair pair = Pair.join(cluster, room);
      WsClient alice = pair.alice();
      WsClient bob = pair.bob();

      NodeProcess third = cluster.launch(Map.of()).awaitHealthy(3, Duration.ofSeconds(90));
      WsClient carol = join(third, "carol", room);
      assertEquals(2, carol.welcome().getJsonArray("peers").size(), carol.welcome().encode());
      assertEquals(carol.id(), alice.expect("peer-joined").getJsonObject("peer").getString("id"));
      assertEquals(carol.id(), bob.expect("peer-joined").getJsonObject("peer").getString("id"));
      carol.send(new JsonObject().put("type", "offer").put("to", bob.id()).put("sdp", "v=0"));
      assertEquals(carol.id(), bob.expect("offer").getString("from"));
      bob.send(new JsonObject().put("type", "answer").put("to", carol.id()).put("sdp", "v=0"));
      assertEquals(bob.id(), carol.expect("answer").getString("from"));
    }
  }

  @Test
  @DisplayName("SIGTERM: the node closes its sockets with 1001; participants that do not resume elsewhere leave as "
    + "node-lost when the grace period ends; it leaves the cluster")
  void gracefulShutdown() {
    try (ProcessCluster cluster = ProcessCluster.start(2, 2, SHORT_GRACE)) {
      String room = TestNode.unique("room");
      Pair pair = Pair.join(cluster, room);
      WsClient alice = pair.alice();
      WsClient bob = pair.bob();

      cluster.node(1).terminate();
      assertEquals(1001, bob.awaitClose());
      JsonObject left = alice.expectWithin("peer-left", Duration.ofSeconds(6));
      assertEquals(bob.id(), left.getString("id"));
      assertEquals("node-lost", left.getString("reason"), "as for a node that died (docs/protocol.md)");
      cluster.node(1).waitForExit(Duration.ofSeconds(15));
      assertEquals(Set.of(alice.id()), participantIds(cluster.node(0), room));
      JsonArray peers = join(cluster.node(0), "carol", room).welcome().getJsonArray("peers");
      assertEquals(1, peers.size(), peers.encode());
      alice.expect("peer-joined");
      alice.expectNothing(500);
    }
  }

  @Test
  @DisplayName("a frozen node (no reset, packets just stop) is lost within 10 s plus the grace period; when it "
    + "resumes, presence is reconciled")
  void partitionHeals() throws InterruptedException {
    try (ProcessCluster cluster = ProcessCluster.start(2, 2, SHORT_GRACE)) {
      String room = TestNode.unique("room");
      Pair pair = Pair.join(cluster, room);
      WsClient alice = pair.alice();
      WsClient bob = pair.bob();

      cluster.node(1).signal("STOP");
      try {
        assertEquals(Map.of(bob.id(), "node-lost"), awaitLeft(alice, Set.of(bob.id()), Duration.ofSeconds(13)));
      } finally {
        cluster.node(1).signal("CONT");
      }
      // the frozen side saw alice vanish too; after the merge each side re-asserts its own sessions
      JsonObject back = alice.expectWithin("peer-joined", Duration.ofSeconds(30));
      assertEquals(bob.id(), back.getJsonObject("peer").getString("id"));
      awaitParticipants(cluster.node(0), room, Set.of(alice.id(), bob.id()), Duration.ofSeconds(30));
      awaitParticipants(cluster.node(1), room, Set.of(alice.id(), bob.id()), Duration.ofSeconds(30));
      cluster.node(1).awaitHealthy(2, Duration.ofSeconds(30));
      alice.send(new JsonObject().put("type", "offer").put("to", bob.id()).put("sdp", "v=0"));
      JsonObject offer = null;
      while (offer == null) {
        JsonObject frame = bob.poll(10_000);
        assertTrue(frame != null, "bob got no offer after the merge");
        offer = frame.getString("type").equals("offer") ? frame : null; // skip bob's own presence updates
      }
      assertEquals(alice.id(), offer.getString("from"));
    }
  }
}
