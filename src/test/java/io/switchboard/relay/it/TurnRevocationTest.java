package io.switchboard.relay.it;

import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.Http;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.StunClient;
import io.switchboard.testing.TestNode;
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

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kicked or replaced participant loses its relayed media path: the TURN credential from its welcome is revoked,
 * its live allocations close, and the credential opens nothing more until it expires.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Revocation reaches TURN: kick and replacement close the participant's allocations")
class TurnRevocationTest {

  private static RelayTestNode node;
  private static WebSocketClient client;

  @BeforeAll
  static void start(Vertx vertx) {
    node = RelayTestNode.start(new JsonObject());
    client = WsClient.newClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  /** The TURN username and credential a welcome handed out. */
  private static StunClient turnClientFor(WsClient session) {
    JsonObject turn = session.welcome().getJsonArray("iceServers").stream().map(JsonObject.class::cast)
      .filter(entry -> entry.containsKey("username")).findFirst().orElseThrow();
    return new StunClient(node.relayPort()).credentials(turn.getString("username"), turn.getString("credential"));
  }

  private static int allocate(StunClient turn) {
    return turn.request(Method.ALLOCATE, w -> RequestedTransport.write(w, RequestedTransport.UDP)).errorCode();
  }

  private static double revokedAllocations() {
    return node.metric("switchboard_turn_allocations_closed_total{reason=\"revoked\"}");
  }

  /** Waits at most {@code millis} for the relay to have closed {@code expected} allocations as revoked. */
  private static double awaitRevoked(double expected, long millis) {
    return Metrics.awaitValue(TurnRevocationTest::revokedAllocations, expected, millis);
  }

  @Test
  @DisplayName("kick: the allocation closes within 2 s, relays nothing more, and the credential opens nothing new")
  void kick() throws Exception {
    String room = TestNode.unique("room");
    WsClient alice = WsClient.join(client, node.httpPort(), node.node().token("alice", room));
    try (StunClient turn = turnClientFor(alice);
         StunClient again = turnClientFor(alice);
         DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      assertEquals(0, allocate(turn));
      assertEquals(0, turn.request(Method.CREATE_PERMISSION,
        w -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, (InetSocketAddress) peer.getLocalSocketAddress()))
        .errorCode());
      double revokedBefore = revokedAllocations();

      Http.Response kicked = Http.delete(node.httpPort(), "/api/rooms/" + room + "/participants/" + alice.id(),
        node.node().adminToken());
      assertEquals(200, kicked.status(), kicked.body());
      assertEquals(4002, alice.awaitClose());

      assertEquals(revokedBefore + 1, awaitRevoked(revokedBefore + 1, 2000), "closed within 2 s");
      assertEquals(401, turn.request(Method.REFRESH, w -> Lifetime.write(w, 600)).errorCode(),
        "a Refresh with the revoked credential is refused");
      turn.sendRaw(RelayProtocolTest.sendIndication((InetSocketAddress) peer.getLocalSocketAddress(), "after"));
      peer.setSoTimeout(300);
      assertTrue(receivesNothing(peer), "nothing is relayed for it any more");
      assertEquals(401, allocate(again), "the revoked credential opens no new allocation");
    }
  }

  @Test
  @DisplayName("kick during the grace period: the dropped session's allocation closes as well")
  void kickDuringGrace() throws Exception {
    String room = TestNode.unique("room");
    WsClient alice = WsClient.join(client, node.httpPort(), node.node().token("alice", room));
    try (StunClient turn = turnClientFor(alice)) {
      assertEquals(0, allocate(turn));
      double revokedBefore = revokedAllocations();
      alice.close(); // dropped without a leave: the session waits for a resume, its connection gone
      alice.awaitClose();
      String admin = node.node().adminToken();
      long deadline = System.nanoTime() + WsClient.WAIT.toNanos();
      while (!Http.get(node.httpPort(), "/api/rooms/" + room, admin).body().contains("\"grace\"")) {
        assertTrue(System.nanoTime() < deadline, "alice's session enters its grace period");
        Thread.sleep(20);
      }

      Http.Response kicked = Http.delete(node.httpPort(), "/api/rooms/" + room + "/participants/" + alice.id(), admin);
      assertEquals(200, kicked.status(), kicked.body());
      assertEquals(revokedBefore + 1, awaitRevoked(revokedBefore + 1, 2000), "closed within 2 s");
      assertEquals(401, turn.request(Method.REFRESH, w -> Lifetime.write(w, 600)).errorCode());
    }
  }

  @Test
  @DisplayName("replacement: the old session's credential is revoked, the new session's works")
  void replacement() throws Exception {
    String room = TestNode.unique("room");
    String token = node.node().token("bob", room);
    WsClient first = WsClient.join(client, node.httpPort(), token);
    try (StunClient oldTurn = turnClientFor(first)) {
      assertEquals(0, allocate(oldTurn));
      double revokedBefore = revokedAllocations();
      WsClient second = WsClient.join(client, node.httpPort(), token); // the same token: a reconnect
      assertEquals(4001, first.awaitClose());
      assertEquals(revokedBefore + 1, awaitRevoked(revokedBefore + 1, 2000));
      assertEquals(401, oldTurn.request(Method.REFRESH, w -> Lifetime.write(w, 600)).errorCode());
      try (StunClient newTurn = turnClientFor(second)) {
        assertNotEquals(oldTurn.username(), newTurn.username(), "one token, two credentials");
        assertEquals(0, allocate(newTurn), "the replacing session relays");
      }
    }
  }

  private static boolean receivesNothing(DatagramSocket peer) throws Exception {
    try {
      DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
      peer.receive(packet);
      return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8).isEmpty();
    } catch (java.net.SocketTimeoutException nothing) {
      return true;
    }
  }
}
