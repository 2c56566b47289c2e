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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@DisplayName("Node processes coming and going: SIGKILL, a member joining a running cluster, SIGTERM")
class NodeLossIT {

  private static WebSocketClient client;
  /** A short grace period: a lost session is announced when it ends, unless its client resumes it first. */
  private static final Map<String, String> SHORT_GRACE = Map.of("SWITCHBOARD_ROOMS_GRACE_PERIOD_SECONDS", "2");
  /** Room for three: the majority side of a split can fill it while a fourth member sits on the frozen node. */
  private static final int ROOM_LIMIT = 3;

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

  @Test
  @DisplayName("a partition heals into a room that filled up meanwhile: the frozen node's session is put back over "
    + "the limit, nobody is disconnected, newcomers are refused until enough have left, and frames flow")
  void partitionHealsIntoFullRoom() throws InterruptedException {
    Map<String, String> env = new HashMap<>(SHORT_GRACE);
    env.put("SWITCHBOARD_LIMITS_MAX_PARTICIPANTS_PER_ROOM", Integer.toString(ROOM_LIMIT));
    try (ProcessCluster cluster = ProcessCluster.start(3, 3, env)) {
      String room = TestNode.unique("room");
      Split split = Split.fillWhileFrozen(cluster, room);
      Set<String> everyone = split.ids();

      // docs/cluster.md "Partitions": bob is put back although the room is full; the others hear of him
      for (WsClient member : split.majority()) {
        awaitJoined(member, Set.of(split.bob().id()), everyone, Duration.ofSeconds(40));
      }
      awaitJoined(split.bob(), Set.of(split.carol().id(), split.dave().id()), Set.of(), Duration.ofSeconds(20));
      for (NodeProcess node : cluster.nodes()) {
        awaitParticipants(node, room, everyone, Duration.ofSeconds(20));
      }
      // four in a room for three: a newcomer is refused on either side of the old split
      assertRoomFull(cluster.node(2), room);
      assertRoomFull(cluster.node(0), room);
      for (WsClient member : split.majority()) {
        assertDelivered(split.bob(), member, everyone);
        assertDelivered(member, split.bob(), everyone);
      }
      for (WsClient member : split.all()) {
        assertFalse(member.isClosed(), "a merge disconnects nobody");
      }

      // the room shrinks as people leave: back at its limit it is still full, below it a newcomer gets in
      leave(split.dave());
      awaitParticipants(cluster.node(1), room, Set.of(split.alice().id(), split.bob().id(), split.carol().id()),
        Duration.ofSeconds(10));
      assertRoomFull(cluster.node(1), room);
      leave(split.carol());
      awaitParticipants(cluster.node(2), room, Set.of(split.alice().id(), split.bob().id()), Duration.ofSeconds(10));
      WsClient erin = join(cluster.node(2), "erin", room);
      assertEquals(2, erin.welcome().getJsonArray("peers").size(), erin.welcome().encode());

      // a session put back by the merge keeps its resume token: bob drops and resumes on node 0
      WsClient bob = split.bob();
      bob.close();
      bob.awaitClose();
      WsClient bobAgain = WsClient.resume(client, cluster.node(0).port(), TestTokens.participant("bob", room, null),
        bob.resumeToken());
      assertEquals(null, bobAgain.resumeError(), "resumed, not refused");
      assertEquals(true, bobAgain.welcome().getBoolean("resumed"), bobAgain.welcome().encode());
      assertEquals(bob.id(), bobAgain.id());
      Set<String> staying = Set.of(split.alice().id(), bob.id(), erin.id());
      assertDelivered(erin, bobAgain, staying);
      assertDelivered(bobAgain, split.alice(), staying);
    }
  }

  /** bob on the node that froze; alice, carol and dave on the majority side. */
  private record Split(WsClient alice, WsClient bob, WsClient carol, WsClient dave) {

    /**
     * alice (node 0) and bob (node 2) meet; node 2 freezes; once the others have lost bob, carol (node 1) and
     * dave (node 0) fill the room to its limit; node 2 resumes.
     */
    static Split fillWhileFrozen(ProcessCluster cluster, String room) {
      WsClient alice = join(cluster.node(0), "alice", room);
      WsClient bob = join(cluster.node(2), "bob", room);
      alice.expect("peer-joined");
      cluster.node(2).signal("STOP");
      try {
        assertEquals(Map.of(bob.id(), "node-lost"), awaitLeft(alice, Set.of(bob.id()), Duration.ofSeconds(13)));
        WsClient carol = join(cluster.node(1), "carol", room);
        WsClient dave = join(cluster.node(0), "dave", room);
        assertRoomFull(cluster.node(1), room);
        return new Split(alice, bob, carol, dave);
      } finally {
        cluster.node(2).signal("CONT");
      }
    }

    List<WsClient> majority() {
      return List.of(alice, carol, dave);
    }

    List<WsClient> all() {
      return List.of(alice, bob, carol, dave);
    }

    Set<String> ids() {
      return Set.of(alice.id(), bob.id(), carol.id(), dave.id());
    }
  }

  /** Leaves the room for good (closing the socket alone would hold the place for the grace period). */
  private static void leave(WsClient member) {
    member.send(new JsonObject().put("type", "leave"));
    assertEquals(1000, member.awaitClose());
  }

  /** A newcomer on {@code node} is refused with room-full and 4003. */
  private static void assertRoomFull(NodeProcess node, String room) {
    WsClient newcomer = WsClient.await(WsClient.open(client, node.port(), TestTokens.participant("erin", room, null)));
    newcomer.expectError("room-full");
    assertEquals(4003, newcomer.awaitClose());
  }

  /** {@code from} sends {@code to} an offer, which arrives. */
  private static void assertDelivered(WsClient from, WsClient to, Set<String> staying) {
    from.send(new JsonObject().put("type", "offer").put("to", to.id()).put("sdp", "v=0"));
    readUntil(to, f -> f.getString("type").equals("offer") && f.getString("from").equals(from.id()), staying,
      Duration.ofSeconds(10), "offer from " + from.id());
  }

  /** Reads until {@code observer} has heard every one of {@code ids} join. */
  private static void awaitJoined(WsClient observer, Set<String> ids, Set<String> staying, Duration within) {
    Set<String> joined = new HashSet<>();
    readUntil(observer, frame -> {
      if (frame.getString("type").equals("peer-joined")) {
        joined.add(frame.getJsonObject("peer").getString("id"));
      }
      return joined.containsAll(ids);
    }, staying, within, "peer-joined of " + ids);
  }

  /** Reads {@code observer}'s frames until one is {@code wanted}; a peer-left about one of {@code staying} fails. */
  private static void readUntil(WsClient observer, Predicate<JsonObject> wanted, Set<String> staying,
                                Duration within, String what) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject frame = observer.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      if (frame == null) {
        continue;
      }
      boolean leaving = frame.getString("type").equals("peer-left") && staying.contains(frame.getString("id"));
      assertFalse(leaving, "nobody connected leaves: " + frame.encode());
      if (wanted.test(frame)) {
        return;
      }
    }
    throw new AssertionError(what + " not received by " + observer.welcome().getString("identity") + " within "
      + within);
  }
}
