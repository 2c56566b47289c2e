package io.switchboard.browser;

import io.switchboard.testing.Http;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.TestCluster;
import io.switchboard.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriverException;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The demo page in two real, separate headless Chromium browsers: both join one room through the page's own
 * autojoin, negotiate over the server's signaling, and each must decode the other's (fake-camera) video.
 */
@DisplayName("A call between two real browsers")
class BrowserCallTest {

  private static final Duration CALL_DEADLINE = Duration.ofSeconds(30);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

  /** One round trip into the page: the demo's test hooks, plus the status line a person would read. */
  private static final String SNAPSHOT_SCRIPT = """
    const done = arguments[arguments.length - 1];
    const demo = window.switchboardDemo;
    const status = document.getElementById('status')?.textContent ?? null;
    if (!demo) {
      done({error: 'window.switchboardDemo is not defined (page not loaded, or app.js failed)', status});
      return;
    }
    demo.stats().then(
      (stats) => done({state: demo.state(), stats, status}),
      (error) => done({error: 'stats() rejected: ' + error, state: demo.state(), status}));
    """;

  private final List<TestNode> nodes = new ArrayList<>();
  private final List<Chromium> browsers = new ArrayList<>();
  private final List<TestCluster> clusters = new ArrayList<>();

  @BeforeEach
  void requireBrowser() {
    Chromium.requireInstalled();
  }

  @AfterEach
  void tearDown() throws Exception {
    List<AutoCloseable> resources = new ArrayList<>(browsers);
    resources.addAll(nodes);
    resources.addAll(clusters);
    browsers.clear();
    nodes.clear();
    clusters.clear();
    BrowserResources.closeAll(resources);
  }

  @Test
  @DisplayName("two browsers on one node connect and decode each other's video")
  void twoBrowsersOnOneNode() {
    TestNode node = startNode();
    String room = TestNode.unique("browser");

    assertCallConnects(pageUrl(node, room, "alice", ""), pageUrl(node, room, "bob", ""));
  }

  @Test
  @DisplayName("two browsers on two clustered nodes connect and decode each other's video")
  void twoBrowsersOnTwoNodes() {
    TestCluster cluster = TestCluster.start(2, new JsonObject());
    clusters.add(cluster);
    String room = TestNode.unique("browser");

    // a cluster has no development tokens: the pages get tokens minted elsewhere, in the URL fragment
    assertCallConnects(tokenPageUrl(cluster.node(0), room, "alice", ""),
      tokenPageUrl(cluster.node(1), room, "bob", ""));
    java.util.Set<String> nodesInRoom = new java.util.HashSet<>();
    Http.get(cluster.node(0).port(), "/api/rooms/" + room, cluster.node(0).adminToken()).json()
      .getJsonArray("participants").forEach(p -> nodesInRoom.add(((JsonObject) p).getString("node")));
    assertEquals(java.util.Set.of(cluster.node(0).node().nodeId(), cluster.node(1).node().nodeId()), nodesInRoom,
      "each page's session must be held by the node that served it");
  }

  @Test
  @DisplayName("after a node restart both pages reconnect on their own (SDK reconnect hook) and the call comes back")
  void reconnectAfterNodeRestart() throws Exception {
    TestNode node = startNode();
    int port = node.port();
    String room = TestNode.unique("browser");
    String urlA = pageUrl(node, room, "alice", "");
    String urlB = pageUrl(node, room, "bob", "");
    Call before = assertCallConnects(urlA, urlB);

    nodes.remove(node);
    node.close(); // the pages see 1001 "node shutting down" and start retrying
    nodes.add(TestNode.start(TestNode.development().put("http", new JsonObject().put("port", port))));

    Call after = awaitCall(browsers.get(0), urlA, browsers.get(1), urlB);
    assertNotEquals(before.a().state().getString("id"), after.a().state().getString("id"),
      "a new session on the new node");
    assertNotEquals(before.b().state().getString("id"), after.b().state().getString("id"),
      "a new session on the new node");
  }

  @Test
  @DisplayName("forced to relay (iceTransportPolicy 'relay'), both browsers connect through the node's own TURN relay")
  void relayOnlyCallThroughOwnRelay() throws Exception {
    // the node's relay, advertised in welcome's iceServers; peers are on 127.0.0.1, so loopback is allowed here
    RelayTestNode relay = RelayTestNode.start(new JsonObject());
    nodes.add(relay.node());
    String room = TestNode.unique("relay");
    String urlA = tokenPageUrl(relay.node(), room, "alice", "&relay=1");
    String urlB = tokenPageUrl(relay.node(), room, "bob", "&relay=1");

    Call call = assertCallConnects(urlA, urlB);

    for (Snapshot page : List.of(call.a(), call.b())) {
      JsonObject pair = page.onlyPeerStats().getJsonObject("selectedCandidatePair");
      assertNotNull(pair, "no selected candidate pair: " + page.json().encode());
      assertEquals("relay", pair.getString("localCandidateType"), page.json().encode());
      assertEquals("relay", pair.getString("remoteCandidateType"), page.json().encode());
    }
    assertTrue(relay.metric("switchboard_turn_allocations_opened_total") >= 2);
    assertTrue(relay.metric("switchboard_turn_packets_total{direction=\"client_to_peer\"}") > 0);
    assertTrue(relay.metric("switchboard_turn_packets_total{direction=\"peer_to_client\"}") > 0);

    // a kicked page loses its relayed media path: the server closes its allocations (revoked), whatever the
    // page does, and the other page's connection to it drops
    String bobId = call.b().state().getString("id");
    Http.Response kick = Http.delete(relay.httpPort(), "/api/rooms/" + room + "/participants/" + bobId,
      relay.node().adminToken());
    assertEquals(200, kick.status(), kick.body());
    assertTrue(io.switchboard.testing.Metrics.awaitValue(
      () -> relay.metric("switchboard_turn_allocations_closed_total{reason=\"revoked\"}"), 1.0, 5000) >= 1.0,
      "the kicked page's allocations are closed by the relay");
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String state = "connected";
    while ("connected".equals(state) && System.nanoTime() < deadline) {
      sleep(POLL_INTERVAL);
      JsonObject peer = snapshot(browsers.get(0)).stats().getJsonObject(bobId);
      state = peer == null ? "gone" : peer.getString("connectionState");
    }
    assertNotEquals("connected", state, "alice's connection to the kicked page must not stay up");
  }

  // ---- reusable steps (a relay-only and a two-node variant build on these) ----

  private TestNode startNode() {
    TestNode node = TestNode.start(TestNode.development());
    nodes.add(node);
    return node;
  }

  /** The demo page joining {@code room} as {@code name} at once; {@code extra} is appended as is (e.g. "&relay=1"). */
  private static String pageUrl(TestNode node, String room, String name, String extra) {
    return "http://127.0.0.1:" + node.port() + "/?room=" + encode(room) + "&name=" + encode(name) + "&autojoin=1"
      + extra;
  }

  /**
   * The demo page joining at once with a token minted here for identity {@code name-<suffix>} in {@code room},
   * handed over in the URL fragment as an operator's backend would (no development token involved).
   */
  private static String tokenPageUrl(TestNode node, String room, String name, String extra) {
    String token = node.token(TestNode.unique(name), room);
    return "http://127.0.0.1:" + node.port() + "/?name=" + encode(name) + "&autojoin=1" + extra + "#token=" + token;
  }

  /**
   * Opens {@code urlA} in one browser and {@code urlB} in another (each URL carries {@code name=}), then waits until
   * each page has exactly one peer connection, connected and decoding video, to a peer whose identity starts with
   * the other page's name. Fails with both pages' latest snapshots and both browsers' console logs.
   *
   * @return the two pages' snapshots at the moment the call was up
   */
  private Call assertCallConnects(String urlA, String urlB) {
    Chromium browserA = startBrowser(queryParameter(urlA, "name"));
    Chromium browserB = startBrowser(queryParameter(urlB, "name"));
    browserA.driver().get(urlA);
    browserB.driver().get(urlB);
    return awaitCall(browserA, urlA, browserB, urlB);
  }

  /**
   * Waits until the pages already open in {@code browserA} and {@code browserB} are in a call with each other; also
   * used by {@link BrowserResumeIT}.
   */
  static Call awaitCall(Chromium browserA, String urlA, Chromium browserB, String urlB) {
    String nameA = queryParameter(urlA, "name");
    String nameB = queryParameter(urlB, "name");
    long deadline = System.nanoTime() + CALL_DEADLINE.toNanos();
    Snapshot a;
    Snapshot b;
    while (true) {
      a = snapshot(browserA);
      b = snapshot(browserB);
      boolean up = a.problem(nameB) == null && b.problem(nameA) == null;
      if (up || System.nanoTime() > deadline) {
        break;
      }
      sleep(POLL_INTERVAL);
    }

    String problemA = a.problem(nameB);
    String problemB = b.problem(nameA);
    if (problemA != null || problemB != null) {
      fail("The call did not come up within " + CALL_DEADLINE.toSeconds() + " s.\n"
        + "page A (" + nameA + "): " + (problemA == null ? "ok" : problemA) + "\n"
        + "page B (" + nameB + "): " + (problemB == null ? "ok" : problemB) + "\n"
        + diagnostics(browserA, urlA, a) + diagnostics(browserB, urlB, b));
    }
    return new Call(a, b);
  }

  private Chromium startBrowser(String name) {
    Chromium browser = Chromium.start(name);
    browsers.add(browser);
    return browser;
  }

  /** One page's hooks and status line; also used by {@link FirefoxInteropTest}. */
  @SuppressWarnings("unchecked")
  static Snapshot snapshot(Chromium browser) {
    try {
      Object result = browser.driver().executeAsyncScript(SNAPSHOT_SCRIPT);
      if (!(result instanceof Map<?, ?> map)) {
        return Snapshot.failed("the snapshot script returned " + result, new JsonObject());
      }
      JsonObject json = new JsonObject((Map<String, Object>) map);
      return new Snapshot(json.getString("error"), json);
    } catch (WebDriverException e) {
      String firstLine = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      return Snapshot.failed("the snapshot script threw " + e.getClass().getSimpleName() + ": " + firstLine,
        new JsonObject());
    }
  }

  static String diagnostics(Chromium browser, String url, Snapshot snapshot) {
    StringBuilder text = new StringBuilder()
      .append("---- browser ").append(browser.name()).append(" at ").append(url).append('\n')
      .append("latest snapshot: ").append(snapshot.json().encodePrettily()).append('\n');
    try {
      text.append("page text: ").append(browser.driver().findElement(By.tagName("body")).getText()
        .replace('\n', '|')).append('\n');
    } catch (WebDriverException e) {
      text.append("page text unavailable: ").append(e.getClass().getSimpleName()).append('\n');
    }
    text.append("console:\n");
    List<String> console = browser.consoleLog();
    if (console.isEmpty()) {
      text.append("  (empty)\n");
    }
    console.forEach(line -> text.append("  ").append(line).append('\n'));
    return text.toString();
  }

  private static String queryParameter(String url, String name) {
    String query = URI.create(url).getRawQuery();
    for (String pair : query == null ? new String[0] : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    throw new IllegalArgumentException(url + " has no " + name + " parameter");
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the call", e);
    }
  }

  /** Both pages when the call was up. */
  record Call(Snapshot a, Snapshot b) {
  }

  /**
   * One page's {@code state()} and {@code stats()} (plus its status line), or why they could not be read.
   *
   * @param error set when the hooks could not be read at all
   * @param json {@code {state, stats, status}} as the page returned them
   */
  record Snapshot(String error, JsonObject json) {

    static Snapshot failed(String error, JsonObject json) {
      return new Snapshot(error, json.put("error", error));
    }

    JsonObject state() {
      return json.getJsonObject("state", new JsonObject());
    }

    /** Peer id to {@code {connectionState, framesDecoded, selectedCandidatePair}}. */
    JsonObject stats() {
      return json.getJsonObject("stats", new JsonObject());
    }

    /** The single peer's stats; only meaningful once {@link #problem} said the call is up. */
    JsonObject onlyPeerStats() {
      return stats().getJsonObject(stats().fieldNames().iterator().next());
    }

    /**
     * Why this page is not (yet) in a call with exactly one peer named {@code otherName}-..., connected and
     * decoding its video; null when it is.
     */
    String problem(String otherName) {
      String problem = sessionProblem(otherName);
      return problem != null ? problem : connectionProblem(state().getJsonArray("peers", new JsonArray()));
    }

    /** Why the page's session is not joined with exactly one peer named {@code otherName}-...; null when it is. */
    private String sessionProblem(String otherName) {
      if (error != null) {
        return error;
      }
      JsonObject state = state();
      if (!state.getBoolean("joined", false)) {
        return "not joined (status: " + json.getString("status") + ")";
      }
      JsonArray peers = state.getJsonArray("peers", new JsonArray());
      if (peers.size() != 1) {
        return "state() lists " + peers.size() + " peers, expected 1";
      }
      String identity = peers.getJsonObject(0).getString("identity", "");
      if (!identity.startsWith(otherName + "-")) {
        return "state() lists peer identity '" + identity + "', expected '" + otherName + "-<suffix>'";
      }
      return null;
    }

    /** Why the one peer connection (to the one peer in {@code peers}) is not connected and decoding; null if it is. */
    private String connectionProblem(JsonArray peers) {
      JsonObject stats = stats();
      if (stats.size() != 1) {
        return "stats() has " + stats.size() + " peer connections, expected 1";
      }
      JsonObject peer = onlyPeerStats();
      String connectionState = peer.getString("connectionState");
      if (!"connected".equals(connectionState)) {
        return "peer connection is '" + connectionState + "', expected 'connected'";
      }
      Number frames = peer.getNumber("framesDecoded", 0);
      if (frames.longValue() <= 0) {
        return "connected, but no remote video frame decoded yet";
      }
      String statsPeerId = stats.fieldNames().iterator().next();
      String statePeerId = peers.getJsonObject(0).getString("id");
      if (!statsPeerId.equals(statePeerId)) {
        return "stats() is for peer " + statsPeerId + " but state() lists peer " + statePeerId;
      }
      return null;
    }
  }
}
