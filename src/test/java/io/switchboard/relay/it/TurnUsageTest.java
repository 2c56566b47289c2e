package io.switchboard.relay.it;

import io.switchboard.testing.CoturnTools;
import io.switchboard.testing.Http;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestPorts;
import io.switchboard.testing.TestTokens;
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

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-room TURN usage end to end on one node: participants take their TURN credentials from the real welcome and
 * from GET /api/ice-servers, coturn's turnutils_uclient allocates and relays known amounts through the relay to an
 * echoing turnutils_peer, and GET /api/rooms/{room} shows exactly those bytes and allocations, per participant.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("TURN usage per room: relayed bytes and allocations in GET /api/rooms/{room}, per participant")
@Timeout(180)
class TurnUsageTest {

  static final String OPENED = "switchboard_turn_allocations_opened_total";

  private static RelayTestNode node;
  private static Process peer;
  private static int peerPort;
  private static WebSocketClient client;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    CoturnTools.requireInstalled("turnutils_uclient", "turnutils_peer");
    node = RelayTestNode.start(new JsonObject());
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
  }

  /** The TURN entry of an iceServers list. */
  static JsonObject turnEntry(JsonArray iceServers) {
    return iceServers.stream().map(JsonObject.class::cast).filter(entry -> entry.containsKey("username"))
      .findFirst().orElseThrow();
  }

  /**
   * uclient with its own allocation per session and no RTCP companion ({@code -c}): {@code sessions} allocations,
   * {@code messages} datagrams of {@code length} bytes each way per session.
   */
  static List<String> uclient(JsonObject turn, int relayPort, int port, int sessions, int messages, int length,
                              String... options) {
    List<String> command = new ArrayList<>(List.of("turnutils_uclient", "-c"));
    command.addAll(List.of(options));
    command.addAll(List.of("-u", turn.getString("username"), "-w", turn.getString("credential"), "-e", "127.0.0.1",
      "-r", Integer.toString(port), "-m", Integer.toString(sessions), "-n", Integer.toString(messages),
      "-l", Integer.toString(length), "-z", "5", "-p", Integer.toString(relayPort), "127.0.0.1"));
    return command;
  }

  /** The room's view from the admin API (200 expected) and its turnUsage. */
  static JsonObject usage(int httpPort, String room) {
    Http.Response response = Http.get(httpPort, "/api/rooms/" + room, TestTokens.admin());
    assertEquals(200, response.status(), response.body());
    JsonObject view = response.json();
    assertNotNull(view.getJsonArray("participants"), "the room view keeps its fields: " + view);
    JsonObject usage = view.getJsonObject("turnUsage");
    assertNotNull(usage, view.encode());
    assertEquals(true, usage.getBoolean("complete"), usage.encode());
    return usage;
  }

  static JsonObject participant(JsonObject usage, String identity) {
    return usage.getJsonArray("participants").stream().map(JsonObject.class::cast)
      .filter(p -> p.getString("identity").equals(identity)).findFirst()
      .orElseThrow(() -> new AssertionError(identity + " not in " + usage.encode()));
  }

  /** Checks one participant's counts against what uclient reported sending and receiving. */
  static void assertParticipant(JsonObject usage, String identity, long allocations, long active,
                                CoturnTools.Result run, int length) {
    JsonObject entry = participant(usage, identity);
    long[] totals = run.totals();
    assertEquals(allocations, entry.getLong("allocations"), entry.encode());
    assertEquals(active, entry.getLong("activeAllocations"), entry.encode());
    assertEquals(totals[0] * length, entry.getLong("bytesToPeers"), entry.encode() + "\n" + run.output());
    assertEquals(totals[1] * length, entry.getLong("bytesFromPeers"), entry.encode() + "\n" + run.output());
    assertTrue(entry.getDouble("allocationSeconds") > 0, entry.encode());
  }

  static CoturnTools.Result echoed(List<String> command, long expected) throws Exception {
    CoturnTools.Result run = CoturnTools.run(command);
    assertEquals(0, run.exit(), run.output());
    assertEquals(expected, run.totals()[0], run.output());
    assertEquals(expected, run.totals()[1], run.output());
    return run;
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
    JsonObject aliceTurn = turnEntry(alice.welcome().getJsonArray("iceServers"));
    Http.Response api = Http.get(node.httpPort(), "/api/ice-servers", bobToken);
    assertEquals(200, api.status(), api.body());
    JsonObject bobTurn = turnEntry(api.json().getJsonArray("iceServers"));

    double opened = node.metric(OPENED);
    CoturnTools.Result aliceRun = echoed(uclient(aliceTurn, node.relayPort(), peerPort, 2, 20, 100), 40);
    long aliceAllocations = Math.round(node.metric(OPENED) - opened);
    CoturnTools.Result bobRun = echoed(uclient(bobTurn, node.relayPort(), peerPort, 1, 10, 200, "-s"), 10);
    long bobAllocations = Math.round(node.metric(OPENED) - opened) - aliceAllocations;
    // uclient opens two allocations per session and deletes the first again at once (a Refresh to 0)
    assertEquals(4, aliceAllocations);
    assertEquals(2, bobAllocations);

    JsonObject usage = usage(node.httpPort(), room);
    double elapsed = (System.nanoTime() - started) / 1e9;
    assertParticipant(usage, "alice", aliceAllocations, 2, aliceRun, 100);
    assertParticipant(usage, "bob", bobAllocations, 1, bobRun, 200);
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
    JsonObject after = usage(node.httpPort(), room);
    assertParticipant(after, "alice", aliceAllocations, 0, aliceRun, 100);
    assertParticipant(after, "bob", bobAllocations, 1, bobRun, 200);
    assertEquals(1, after.getLong("activeAllocations"));
    assertTrue(participant(after, "alice").getDouble("allocationSeconds")
      >= participant(usage, "alice").getDouble("allocationSeconds"), after.encode());
    bob.close();
  }

  @Test
  @DisplayName("hostile: a wrong password gets 401 and counts nothing; a validly signed username the node never "
    + "issued relays but counts for no room; other rooms' usage never leaks in")
  void hostile() throws Exception {
    String room = TestNode.unique("usage-hostile");
    WsClient carol = WsClient.join(client, node.httpPort(), TestTokens.participant("carol", room, "publisher"));
    JsonObject carolTurn = turnEntry(carol.welcome().getJsonArray("iceServers"));
    String auth = "switchboard_turn_auth_failures_total{reason=\"bad_integrity\"}";
    double failures = node.metric(auth);
    JsonObject forged = carolTurn.copy().put("credential", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    CoturnTools.Result refused = CoturnTools.run(uclient(forged, node.relayPort(), peerPort, 1, 5, 100));
    assertEquals(255, refused.exit(), refused.output());
    assertTrue(node.metric(auth) > failures);

    String unissued = RelayTestNode.restUsername("carol", 3600);
    JsonObject signed = new JsonObject().put("username", unissued)
      .put("credential", RelayTestNode.restPassword(unissued));
    String unattributed = "switchboard_turn_usage_unattributed_allocations_total";
    double before = node.metric(unattributed);
    CoturnTools.Result run = echoed(uclient(signed, node.relayPort(), peerPort, 1, 5, 100), 5);
    // uclient opens two allocations per session (the first it deletes again with a Refresh to 0)
    assertEquals(before + 2, node.metric(unattributed), run.output());

    JsonObject usage = usage(node.httpPort(), room);
    assertEquals(new JsonObject().put("allocations", 0L).put("activeAllocations", 0L).put("bytesToPeers", 0L)
      .put("bytesFromPeers", 0L).put("allocationSeconds", 0.0).put("participants", new JsonArray())
      .put("complete", true), usage);
    assertEquals(404, Http.get(node.httpPort(), "/api/rooms/" + TestNode.unique("none"), TestTokens.admin())
      .status());
    carol.close();
  }
}
