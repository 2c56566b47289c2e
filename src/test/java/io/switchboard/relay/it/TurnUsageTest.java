package io.switchboard.relay.it;

import io.switchboard.testing.CoturnTools;
import io.switchboard.testing.Http;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestPorts;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.TurnUsage;
import io.switchboard.testing.WebhookReceiver;
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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-room TURN usage end to end on one node: participants take their TURN credentials from the real welcome and
 * from GET /api/ice-servers, coturn's turnutils_uclient allocates and relays known amounts through the relay to an
 * echoing turnutils_peer, and GET /api/rooms/{room} shows exactly those bytes and allocations, per participant; so
 * does the room's {@code room_finished} webhook, received by a real HTTP receiver.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("TURN usage per room: relayed bytes and allocations in GET /api/rooms/{room}, per participant")
@Timeout(180)
class TurnUsageTest {

  private static RelayTestNode node;
  private static Process peer;
  private static int peerPort;
  private static WebSocketClient client;
  private static WebhookReceiver receiver;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    CoturnTools.requireInstalled("turnutils_uclient", "turnutils_peer");
    receiver = WebhookReceiver.start(vertx);
    node = RelayTestNode.startWith(new JsonObject(), new JsonObject().put("webhooks", new JsonObject()
      .put("urls", new JsonArray().add(receiver.url()))
      .put("secrets", new JsonArray().add("webhook-test-key-0123456789abcdefghijklmnopqrstuvwxyz"))));
    peerPort = TestPorts.freeUdpBlock(2);
    peer = CoturnTools.peer("127.0.0.1", peerPort);
    client = WsClient.newClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    CoturnTools.stop(peer);
    if (node != null) {
      node.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  @DisplayName("room_finished carries the room's TURN usage: the bytes its participant relayed")
  void roomFinished() throws Exception {
    String room = TestNode.unique("usage-finished");
    WsClient dave = WsClient.join(client, node.httpPort(), TestTokens.participant("dave", room, "publisher"));
    JsonObject daveTurn = TurnUsage.turnEntry(dave.welcome().getJsonArray("iceServers"));
    CoturnTools.Result run = TurnUsage.echoed(TurnUsage.uclient(daveTurn, node.relayPort(), peerPort, 1, 10, 150),
      10);
    dave.send(new JsonObject().put("type", "leave"));
    List<JsonObject> events = receiver.await(all -> all.stream().anyMatch(e -> room.equals(e.getString("room"))
      && "room_finished".equals(e.getString("type"))), Duration.ofSeconds(15));
    JsonObject finished = events.stream().filter(e -> room.equals(e.getString("room"))
      && "room_finished".equals(e.getString("type"))).findFirst().orElseThrow();
    JsonObject usage = finished.getJsonObject("turnUsage");
    assertEquals(10 * 150, usage.getLong("bytesToPeers"), finished.encode() + "\n" + run.output());
    assertEquals(10 * 150, usage.getLong("bytesFromPeers"), finished.encode());
    TurnUsage.assertParticipant(usage, "dave", usage.getLong("allocations"), usage.getLong("activeAllocations"),
      run, 150);
  }

  @Test
  @DisplayName("welcome and /api/ice-servers credentials: exact bytes and allocations per participant; a kick "
    + "ends the allocations and their counts stay")
  void perParticipant() throws Exception {
    String room = TestNode.unique("usage");
    long started = System.nanoTime();
    WsClient alice = WsClient.join(client, node.httpPort(), TestTokens.participant("alice", room, "publisher"));
    String bobToken = TestTokens.participant("bob", room, "publisher");
    WsClient bob = WsClient.join(client, node.httpPort(), bobToken);
    alice.expect("peer-joined");
    JsonObject aliceTurn = TurnUsage.turnEntry(alice.welcome().getJsonArray("iceServers"));
    Http.Response api = Http.get(node.httpPort(), "/api/ice-servers", bobToken);
    assertEquals(200, api.status(), api.body());
    JsonObject bobTurn = TurnUsage.turnEntry(api.json().getJsonArray("iceServers"));

    double opened = node.metric(TurnUsage.OPENED);
    CoturnTools.Result aliceRun = TurnUsage.echoed(
      TurnUsage.uclient(aliceTurn, node.relayPort(), peerPort, 2, 20, 100), 40);
    long aliceAllocations = Math.round(node.metric(TurnUsage.OPENED) - opened);
    CoturnTools.Result bobRun = TurnUsage.echoed(
      TurnUsage.uclient(bobTurn, node.relayPort(), peerPort, 1, 10, 200, "-s"), 10);
    long bobAllocations = Math.round(node.metric(TurnUsage.OPENED) - opened) - aliceAllocations;
    // uclient opens two allocations per session and deletes the first again at once (a Refresh to 0)
    assertEquals(4, aliceAllocations);
    assertEquals(2, bobAllocations);

    JsonObject usage = TurnUsage.usage(node.httpPort(), room);
    double elapsed = (System.nanoTime() - started) / 1e9;
    TurnUsage.assertParticipant(usage, "alice", aliceAllocations, 2, aliceRun, 100);
    TurnUsage.assertParticipant(usage, "bob", bobAllocations, 1, bobRun, 200);
    assertEquals(2, usage.getJsonArray("participants").size(), usage.encode());
    assertEquals(aliceAllocations + bobAllocations, usage.getLong("allocations"));
    assertEquals(3, usage.getLong("activeAllocations"));
    assertEquals(40 * 100 + 10 * 200, usage.getLong("bytesToPeers"));
    assertEquals(40 * 100 + 10 * 200, usage.getLong("bytesFromPeers"));
    // every allocation was opened after the test started: none can have lived longer than the test has run
    assertTrue(usage.getDouble("allocationSeconds") <= (aliceAllocations + bobAllocations) * elapsed,
      usage.encode() + " after " + elapsed + " s");

    // the kick revokes alice's credential: her allocations end, and what they relayed stays counted
    double revoked = node.metric("switchboard_turn_allocations_closed_total{reason=\"revoked\"}");
    assertEquals(200, Http.delete(node.httpPort(), "/api/rooms/" + room + "/participants/" + alice.id(),
      TestTokens.admin()).status());
    Metrics.awaitValue(() -> node.metric("switchboard_turn_allocations_closed_total{reason=\"revoked\"}"),
      revoked + 2, 3000);
    JsonObject after = TurnUsage.usage(node.httpPort(), room);
    TurnUsage.assertParticipant(after, "alice", aliceAllocations, 0, aliceRun, 100);
    TurnUsage.assertParticipant(after, "bob", bobAllocations, 1, bobRun, 200);
    assertEquals(1, after.getLong("activeAllocations"));
    assertTrue(TurnUsage.participant(after, "alice").getDouble("allocationSeconds")
      >= TurnUsage.participant(usage, "alice").getDouble("allocationSeconds"), after.encode());
    bob.close();
  }

  @Test
  @DisplayName("hostile: a wrong password gets 401 and counts nothing; a validly signed username the node never "
    + "issued relays but counts for no room; other rooms' usage never leaks in")
  void hostile() throws Exception {
    String room = TestNode.unique("usage-hostile");
    WsClient carol = WsClient.join(client, node.httpPort(), TestTokens.participant("carol", room, "publisher"));
    JsonObject carolTurn = TurnUsage.turnEntry(carol.welcome().getJsonArray("iceServers"));
    String auth = "switchboard_turn_auth_failures_total{reason=\"bad_integrity\"}";
    double failures = node.metric(auth);
    String unauthorized = "switchboard_turn_errors_total{code=\"401\"}";
    double answered401 = node.metric(unauthorized);
    JsonObject forged = carolTurn.copy().put("credential", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    CoturnTools.Result refused = CoturnTools.run(TurnUsage.uclient(forged, node.relayPort(), peerPort, 1, 5, 100));
    assertEquals(255, refused.exit(), refused.output());
    assertTrue(node.metric(auth) > failures);
    assertTrue(node.metric(unauthorized) > answered401, "the forged credential was answered 401");

    String unissued = RelayTestNode.restUsername("carol", 3600);
    JsonObject signed = new JsonObject().put("username", unissued)
      .put("credential", RelayTestNode.restPassword(unissued));
    String unattributed = "switchboard_turn_usage_unattributed_allocations_total";
    double before = node.metric(unattributed);
    CoturnTools.Result run = TurnUsage.echoed(TurnUsage.uclient(signed, node.relayPort(), peerPort, 1, 5, 100), 5);
    // uclient opens two allocations per session (the first it deletes again with a Refresh to 0)
    assertEquals(before + 2, node.metric(unattributed), run.output());

    JsonObject usage = TurnUsage.usage(node.httpPort(), room);
    assertEquals(new JsonObject().put("allocations", 0L).put("activeAllocations", 0L).put("bytesToPeers", 0L)
      .put("bytesFromPeers", 0L).put("allocationSeconds", 0.0).put("participants", new JsonArray())
      .put("complete", true), usage);
    assertEquals(404, Http.get(node.httpPort(), "/api/rooms/" + TestNode.unique("none"), TestTokens.admin())
      .status());
    carol.close();
  }
}
