package io.switchboard.cluster;

import io.switchboard.testing.CoturnTools;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.TestCluster;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestPorts;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.TurnUsage;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Per-room TURN usage across a cluster, in this JVM: the participant is on node A (no relay), its TURN allocation on
 * node B's relay, with the credential A issued. B finds the room A recorded for it, and the admin view on either
 * node shows what B's relay counted.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("TURN usage per room across the cluster: issued on A, relayed on B, shown on A and B")
@Timeout(180)
class ClusterTurnUsageTest {

  private static TestCluster cluster;
  private static TestNode relayNode;
  private static int relayPort;
  private static Process peer;
  private static int peerPort;
  private static WebSocketClient client;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    CoturnTools.requireInstalled("turnutils_uclient", "turnutils_peer");
    cluster = TestCluster.start(1, new JsonObject());
    JsonObject relay = RelayTestNode.overrides(new JsonObject());
    relayPort = relay.getJsonObject("relay").getInteger("port");
    relayNode = TestCluster.join(cluster, relay);
    peerPort = TestPorts.freeUdpBlock(2);
    peer = CoturnTools.peer("127.0.0.1", peerPort);
    client = WsClient.newClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    CoturnTools.stop(peer);
    if (relayNode != null) {
      relayNode.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @DisplayName("alice joins on A and relays through B's relay: GET /api/rooms/{room} on A and on B shows B's count")
  void issuedOnARelayedOnB() throws Exception {
    TestNode edge = cluster.node(0);
    String room = TestNode.unique("usage-cluster");
    WsClient alice = WsClient.join(client, edge.port(), TestTokens.participant("alice", room, "publisher"));
    JsonObject turn = TurnUsage.turnEntry(alice.welcome().getJsonArray("iceServers"));
    double opened = Metrics.value(relayNode.port(), TurnUsage.OPENED);
    CoturnTools.Result run = TurnUsage.echoed(TurnUsage.uclient(turn, relayPort, peerPort, 1, 15, 120), 15);
    long allocations = Math.round(Metrics.value(relayNode.port(), TurnUsage.OPENED) - opened);
    assertEquals(2, allocations, "uclient's two allocations per session, on B's relay");

    for (TestNode node : new TestNode[] {edge, relayNode}) {
      JsonObject usage = TurnUsage.usage(node.port(), room);
      TurnUsage.assertParticipant(usage, "alice", allocations, 1, run, 120);
      assertEquals(allocations, usage.getLong("allocations"), usage.encode());
      assertEquals(15 * 120, usage.getLong("bytesToPeers"), usage.encode());
      assertEquals(15 * 120, usage.getLong("bytesFromPeers"), usage.encode());
    }
    alice.close();
  }
}
