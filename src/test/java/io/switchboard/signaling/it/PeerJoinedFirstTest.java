package io.switchboard.signaling.it;

import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/protocol.md, "Ordering": a peer's {@code peer-joined} reaches you before any frame that peer sends you;
 * the server reads nothing from a new session until it has been admitted and announced. Every round, a newcomer
 * addresses the peer already in the room as early as it can: one offer right after the upgrade (before its
 * {@code welcome}), one from its handler of {@code welcome}, on the client's event loop, with no delay.
 */
@DisplayName("peer-joined comes before the newcomer's first frame, on one node and across two clustered nodes")
class PeerJoinedFirstTest {

  private static final int ROUNDS = 150;

  @RegisterExtension
  static final SwitchboardNodes SINGLE = SwitchboardNodes.single();

  @RegisterExtension
  static final SwitchboardNodes CLUSTER = SwitchboardNodes.cluster(2, new JsonObject());

  @Test
  @DisplayName("one node: " + ROUNDS + " newcomers, each offering at once; the peer sees peer-joined first every time")
  void oneNode() throws Exception {
    String room = TestNode.unique("order");
    WsClient peer = SINGLE.join("peer", room);
    for (int round = 0; round < ROUNDS; round++) {
      round(SINGLE, 0, peer, room, round);
    }
  }

  @Test
  @DisplayName("two nodes: newcomers on either node offer at once to a peer on the other; peer-joined first")
  void acrossNodes() throws Exception {
    String room = TestNode.unique("order");
    WsClient peerOn0 = CLUSTER.join(0, "peer-0", room, null);
    WsClient peerOn1 = CLUSTER.join(1, "peer-1", room, null);
    peerOn0.expect("peer-joined");
    for (int round = 0; round < ROUNDS; round++) {
      boolean fromNode1 = round % 2 == 0;
      WsClient target = fromNode1 ? peerOn0 : peerOn1;
      WsClient bystander = fromNode1 ? peerOn1 : peerOn0;
      String newcomer = round(CLUSTER, fromNode1 ? 1 : 0, target, room, round);
      // the peer on the newcomer's own node hears of it too, and of nothing else
      assertEquals(newcomer, bystander.expect("peer-joined").getJsonObject("peer").getString("id"));
      assertEquals(newcomer, bystander.expect("peer-left").getString("id"));
    }
  }

  /**
   * A newcomer joins on node {@code nodeIndex}, offers twice to {@code target} as early as it can, and leaves;
   * {@code target} must see exactly peer-joined, both offers in order, peer-left. Returns the newcomer's id.
   */
  private static String round(SwitchboardNodes nodes, int nodeIndex, WsClient target, String room, int round)
    throws Exception {
    TestNode node = nodes.node(nodeIndex);
    String token = node.token("newcomer-" + round, room);
    CompletableFuture<String> welcomed = new CompletableFuture<>();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port())
      .setURI("/ws?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
    WebSocket newcomer = WsClient.await(nodes.client().connect(options).onSuccess(socket -> {
      // on the client's event loop, before any frame from the server can be handled
      socket.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        if ("welcome".equals(frame.getString("type"))) {
          socket.writeTextMessage(offer(target.id(), "after-welcome"));
          welcomed.complete(frame.getString("id"));
        }
      });
      socket.writeTextMessage(offer(target.id(), "before-welcome"));
    }));
    String id = welcomed.get(WsClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);

    JsonObject first = target.next();
    assertEquals("peer-joined", first.getString("type"),
      "round " + round + ": the peer got " + first + " before the newcomer " + id + " was announced");
    assertEquals(id, first.getJsonObject("peer").getString("id"), "round " + round);
    for (String sdp : new String[] {"before-welcome", "after-welcome"}) {
      JsonObject offer = target.expect("offer");
      assertEquals(id, offer.getString("from"), "round " + round + ": " + offer);
      assertEquals(sdp, offer.getString("sdp"), "round " + round + ": " + offer);
    }
    WsClient.await(newcomer.writeTextMessage(new JsonObject().put("type", "leave").encode()));
    JsonObject left = target.expect("peer-left");
    assertEquals(id, left.getString("id"), "round " + round);
    return id;
  }

  private static String offer(String to, String sdp) {
    return new JsonObject().put("type", "offer").put("to", to).put("sdp", sdp).encode();
  }
}
