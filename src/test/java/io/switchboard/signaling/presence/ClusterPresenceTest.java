package io.switchboard.signaling.presence;

import io.switchboard.testing.Http;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.TestCluster;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Cluster presence and relay: two clustered nodes in one JVM")
class ClusterPresenceTest {

  @RegisterExtension
  static final SwitchboardNodes CLUSTER = SwitchboardNodes.cluster(2, new JsonObject());

  private static WsClient join(int node, String identity, String room) {
    return CLUSTER.join(node, identity, room, null);
  }

  @Test
  @DisplayName("presence changes start no thread per Hazelcast operation (its default async executor is bounded)")
  void noThreadPerOperation() {
    // On two cores (ForkJoinPool common parallelism 1), Hazelcast's stock default executor starts a thread for
    // every callback on an operation's result: several per join. HazelcastFutures bounds it.
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    String room = TestNode.unique("room");
    join(0, "warm", room).close(); // first uses start pools lazily
    long before = threads.getTotalStartedThreadCount();
    for (int i = 0; i < 30; i++) {
      WsClient session = join(i % 2, "user" + i, room);
      session.close();
      session.awaitClose();
    }
    long started = threads.getTotalStartedThreadCount() - before;
    assertTrue(started < 15, started + " threads started for 30 joins and leaves");
  }

  @Test
  @DisplayName("welcome.peers lists a peer on the other node; peer-joined, directed frames and peer-left cross nodes")
  void crossNode() {
    String room = TestNode.unique("room");
    WsClient alice = join(0, "alice", room);
    WsClient bob = join(1, "bob", room);
    assertNotEquals(alice.welcome().getString("node"), bob.welcome().getString("node"));
    JsonArray peers = bob.welcome().getJsonArray("peers");
    assertEquals(1, peers.size(), peers.encode());
    assertEquals(alice.id(), peers.getJsonObject(0).getString("id"));
    assertEquals(bob.id(), alice.expect("peer-joined").getJsonObject("peer").getString("id"));

    alice.send(new JsonObject().put("type", "offer").put("to", bob.id()).put("sdp", "v=0 x"));
    JsonObject offer = bob.expect("offer");
    assertEquals(alice.id(), offer.getString("from"));
    assertEquals("v=0 x", offer.getString("sdp"));

    bob.send(new JsonObject().put("type", "leave"));
    JsonObject left = alice.expect("peer-left");
    assertEquals(bob.id(), left.getString("id"));
    assertEquals("left", left.getString("reason"));
  }

  @Test
  @DisplayName("roles hold across nodes: a viewer sees only publishers, and only publishers hear of a viewer")
  void rolesAcrossNodes() {
    String room = TestNode.unique("room");
    TestNode n0 = CLUSTER.node(0);
    TestNode n1 = CLUSTER.node(1);
    WsClient publisher = WsClient.join(CLUSTER.client(), n0.port(), n0.token("pub", room, "publisher"));
    WsClient viewer1 = WsClient.join(CLUSTER.client(), n1.port(), n1.token("v1", room, "viewer"));
    WsClient viewer2 = WsClient.join(CLUSTER.client(), n0.port(), n0.token("v2", room, "viewer"));
    assertEquals(1, viewer2.welcome().getJsonArray("peers").size(), "a viewer sees only the publisher");
    assertEquals(viewer1.id(), publisher.expect("peer-joined").getJsonObject("peer").getString("id"));
    assertEquals(viewer2.id(), publisher.expect("peer-joined").getJsonObject("peer").getString("id"));
    // each node applies a room's changes in version order: viewer1's next one is pub2's arrival, so it never
    // heard of viewer2's
    WsClient pub2 = WsClient.join(CLUSTER.client(), n0.port(), n0.token("pub2", room, "publisher"));
    for (WsClient observer : new WsClient[] {viewer1, viewer2, publisher}) {
      assertEquals(pub2.id(), observer.expect("peer-joined").getJsonObject("peer").getString("id"));
    }

    viewer1.send(new JsonObject().put("type", "offer").put("to", viewer2.id()).put("sdp", "v=0"));
    viewer1.expectError("forbidden");
    viewer1.send(new JsonObject().put("type", "message").put("data", "to publishers"));
    assertEquals(viewer1.id(), publisher.expect("message").getString("from"));
    // a later frame from viewer1 to node 0 is handled there after its broadcast: once the publisher has it,
    // whatever the broadcast brought viewer2 is ahead of viewer2's pong
    viewer1.send(new JsonObject().put("type", "message").put("to", publisher.id()).put("data", "marker"));
    assertEquals("marker", publisher.expect("message").getString("data"));
    viewer2.expectPongNext();
  }

  @Test
  @DisplayName("a second node with an id already in the cluster refuses to start")
  void duplicateNodeId() {
    String room = TestNode.unique("room");
    WsClient alice = join(0, "alice", room);
    WsClient bob = join(1, "bob", room);
    alice.expect("peer-joined");
    JsonObject clash = new JsonObject().put("node", new JsonObject().put("id", CLUSTER.node(0).node().nodeId()));
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
      () -> TestCluster.join(CLUSTER.cluster(), clash));
    org.junit.jupiter.api.Assertions.assertTrue(String.valueOf(e.getCause()).contains("already used"),
      String.valueOf(e.getCause()));
    // the refused member left the cluster carrying node 0's id: once node 1 has seen it go, node 0's sessions
    // must still be there for it (a lost node's sessions would buffer this offer), and the next change bob hears
    // of is a later one, not alice's departure
    String series = "switchboard_cluster_members{state=\"trusted\"}";
    assertEquals(2, Metrics.awaitValue(() -> Metrics.value(CLUSTER.node(1).port(), series), 2,
      WsClient.WAIT.toMillis()), "node 1 trusts node 0 and itself");
    assertEquals(0, Metrics.awaitValue(() -> Metrics.value(CLUSTER.node(1).port(),
      "switchboard_cluster_members{state=\"untrusted\"}"), 0, WsClient.WAIT.toMillis()), "the refused member left");
    bob.send(new JsonObject().put("type", "offer").put("to", alice.id()).put("sdp", "v=0"));
    assertEquals(bob.id(), alice.expect("offer").getString("from"));
    WsClient carol = join(0, "carol", room);
    assertEquals(carol.id(), bob.expect("peer-joined").getJsonObject("peer").getString("id"));
  }

  @Test
  @DisplayName("frames between nodes cost no operation on the rooms map: routes come from the replica")
  void noMapLookupPerFrame() {
    String room = TestNode.unique("room");
    WsClient alice = join(0, "alice", room);
    WsClient bob = join(1, "bob", room);
    alice.expect("peer-joined");
    long before = roomsMapOperations();
    for (int i = 0; i < 200; i++) {
      alice.send(new JsonObject().put("type", "message").put("to", bob.id()).put("data", i));
    }
    for (int i = 0; i < 200; i++) {
      assertEquals(i, bob.expect("message").getInteger("data"));
    }
    assertEquals(before, roomsMapOperations(), "a frame must not read or write the rooms map");
  }

  /** Every operation on the rooms map counted by the members in this JVM (gets, puts, entry processors...). */
  private static long roomsMapOperations() {
    long total = 0;
    for (com.hazelcast.core.HazelcastInstance hz : com.hazelcast.core.Hazelcast.getAllHazelcastInstances()) {
      com.hazelcast.map.LocalMapStats stats =
        hz.getMap(io.switchboard.cluster.HazelcastSetup.ROOMS_MAP).getLocalMapStats();
      total += stats.getGetOperationCount() + stats.getPutOperationCount() + stats.getRemoveOperationCount()
        + stats.getOtherOperationCount();
    }
    return total;
  }

  @Test
  @DisplayName("/health reports two trusted members and event-bus TLS")
  void health() {
    JsonObject health = Http.get(CLUSTER.node(0).port(), "/health", null).json();
    assertEquals(new JsonObject().put("enabled", true).put("members", 2).put("tls", true),
      health.getJsonObject("cluster"));
  }
}
