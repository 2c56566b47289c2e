package io.switchboard.signaling.cluster;

import io.switchboard.testing.Http;
import io.switchboard.testing.TestCluster;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

@ExtendWith(VertxExtension.class)
@DisplayName("Cluster presence and relay: two clustered nodes in one JVM")
class ClusterPresenceTest {

  private static TestCluster cluster;
  private static WebSocketClient client;

  @BeforeAll
  static void start(Vertx vertx) {
    cluster = TestCluster.start(2, new JsonObject());
    client = WsClient.newClient(vertx);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static WsClient join(int node, String identity, String room) {
    TestNode n = cluster.node(node);
    return WsClient.join(client, n.port(), n.token(identity, room));
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
  @DisplayName("/health reports two members")
  void health() {
    JsonObject health = Http.get(cluster.node(0).port(), "/health", null).json();
    assertEquals(new JsonObject().put("enabled", true).put("members", 2), health.getJsonObject("cluster"));
  }
}
