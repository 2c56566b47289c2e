package io.switchboard.cluster;

import io.switchboard.testing.Metrics;
import io.switchboard.testing.TestCluster;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A broadcast to a room spread over two clustered nodes costs one event-bus message per remote node, not one per
 * remote receiver, and every receiver still gets it exactly once, with the role rules applied on the far side.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Broadcasts across nodes: one message per remote node")
class ClusterBroadcastTest {

  private static final String SENT = "switchboard_cluster_frame_envelopes_sent_total";
  private TestCluster cluster;
  private Vertx vertx;
  private WebSocketClient client;

  @BeforeAll
  void start() {
    cluster = TestCluster.start(2, new JsonObject());
    vertx = Vertx.vertx();
    client = WsClient.newClient(vertx);
  }

  @AfterAll
  void stop() {
    vertx.close().await();
    cluster.close();
  }

  private WsClient join(int node, String room, String identity, String role) {
    TestNode target = cluster.node(node);
    return WsClient.join(client, target.port(), target.token(identity, room, role));
  }

  @Test
  @DisplayName("5 receivers on the other node, 1 here: one envelope, each receiver gets the frame once")
  void oneEnvelopePerNode() {
    String room = TestNode.unique("fanout");
    WsClient sender = join(0, room, "sender", "publisher");
    WsClient local = join(0, room, "local", "publisher");
    List<WsClient> far = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      far.add(join(1, room, "far-" + i, "publisher"));
    }
    WsClient farViewer = join(1, room, "far-viewer", "viewer");
    List<WsClient> everyone = new ArrayList<>(far);
    everyone.add(local);
    everyone.add(farViewer);
    everyone.add(sender);
    awaitQuiet(everyone);
    int port = cluster.node(0).port();
    double before = Metrics.value(port, SENT);

    sender.send(new JsonObject().put("type", "message").put("data", "to all"));
    for (WsClient receiver : everyone.subList(0, everyone.size() - 1)) {
      JsonObject got = receiver.expect("message");
      assertEquals(sender.id(), got.getString("from"));
      assertEquals("to all", got.getString("data"));
    }
    WsClient.expectQuiet(everyone.toArray(WsClient[]::new));
    assertEquals(before + 1, Metrics.value(port, SENT), "one envelope carried the frame to the 5 receivers there");

    WsClient localViewer = join(0, room, "local-viewer", "viewer");
    awaitQuiet(everyone);
    double beforeViewer = Metrics.value(port, SENT);
    localViewer.send(new JsonObject().put("type", "message").put("data", "from a viewer"));
    for (WsClient publisher : List.of(far.get(0), far.get(1), far.get(2), far.get(3), local, sender)) {
      assertEquals("from a viewer", publisher.expect("message").getString("data"));
    }
    farViewer.expectNothing(300);
    assertEquals(beforeViewer + 1, Metrics.value(port, SENT), "a viewer's broadcast: one envelope, publishers only");
  }

  /** Lets every peer-joined settle, so the counters only see the broadcast. */
  private static void awaitQuiet(List<WsClient> sessions) {
    for (WsClient session : sessions) {
      while (session.poll(300) != null) {
        // presence of the others
      }
    }
  }
}
