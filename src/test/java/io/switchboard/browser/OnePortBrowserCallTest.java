package io.switchboard.browser;

import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.TestCertificates;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestPorts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A call that can only use the one port ({@code onePort}): two headless Chromiums load the demo page over https
 * from it, signal over wss on it, and — forced to relay ({@code &relay=1}) with nothing in {@code iceServers} but
 * {@code turns:} on that same port — send their media through TURN over TLS on it. If any of the three did not
 * work on the one port, the call could not come up.
 *
 * <p>Chromium verifies a {@code turns:} server's certificate as it verifies a page's, and
 * {@link Chromium#trusting} (the leaf's key in {@code --ignore-certificate-errors-spki-list}) covers TURN over TLS
 * too: no {@code --ignore-certificate-errors} needed. Checked once by hand (2026-11-29, Debian chromium 156): a page
 * from a node whose certificate was trusted, with {@code turns:} on another node whose certificate was not, never
 * connected (peer connection stuck at 'new', no relay candidate); with that key added to the SPKI list it connected
 * relay/relay over tls. The certificate names 127.0.0.1, the URL's host.
 */
@DisplayName("A call between two real browsers through the one port only")
class OnePortBrowserCallTest {

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    List<AutoCloseable> closing = new ArrayList<>(resources);
    resources.clear();
    BrowserResources.closeAll(closing);
  }

  @Test
  @DisplayName("page over https, signaling over wss, media relayed over TURN/TLS: all on the one port")
  void callThroughTheOnePort() {
    Chromium.requireInstalled();
    TestCertificates.Member pair = TestCertificates.newAuthority("oneport-browser").member("localhost");
    int port = TestPorts.freePort();
    String turns = "turns:127.0.0.1:" + port + "?transport=tcp";
    // iceServers lists exactly this URL (with REST credentials signed by TURN_KEY): no STUN, no other TURN port
    RelayTestNode relay = RelayTestNode.startWithOnePort(new JsonObject(), pair, port, new JsonObject(),
      new JsonObject().put("stunUrls", new JsonArray()).put("turnUrls", new JsonArray().add(turns))
        .put("turnSecrets", new JsonArray().add(TestNode.TURN_KEY)));
    resources.add(relay);
    String room = TestNode.unique("oneport");
    String urlA = pageUrl(relay.node(), port, room, "alice");
    String urlB = pageUrl(relay.node(), port, room, "bob");
    Chromium alice = Chromium.trusting("alice", pair.cert());
    resources.add(0, alice);
    Chromium bob = Chromium.trusting("bob", pair.cert());
    resources.add(0, bob);

    alice.driver().get(urlA);
    bob.driver().get(urlB);
    BrowserCallTest.Call call = BrowserCallTest.awaitCall(alice, urlA, bob, urlB);

    for (Chromium browser : List.of(alice, bob)) {
      assertSignaledOnThePort(browser, port, turns);
    }
    for (BrowserCallTest.Snapshot page : List.of(call.a(), call.b())) {
      JsonObject selected = page.onlyPeerStats().getJsonObject("selectedCandidatePair");
      assertNotNull(selected, "no selected candidate pair: " + page.json().encode());
      assertEquals("relay", selected.getString("localCandidateType"), page.json().encode());
      assertEquals("relay", selected.getString("remoteCandidateType"), page.json().encode());
      assertEquals("tls", selected.getString("localRelayProtocol"), page.json().encode());
    }
    // while the call is up: each page holds its TURN connection over TLS on the one port, media flows both ways
    assertTrue(relay.metric("switchboard_turn_stream_connections{transport=\"tls\"}") >= 2);
    assertTrue(relay.metric("switchboard_turn_packets_total{direction=\"client_to_peer\"}") > 0);
    assertTrue(relay.metric("switchboard_turn_packets_total{direction=\"peer_to_client\"}") > 0);
  }

  /** The page came over https from the one port, its SDK speaks wss to it, and its only ICE server is the port. */
  @SuppressWarnings("unchecked")
  private static void assertSignaledOnThePort(Chromium browser, int port, String turns) {
    Map<String, Object> seen = (Map<String, Object>) browser.driver().executeScript("""
      const client = window.switchboardDemo.client;
      return {origin: location.origin, secure: window.isSecureContext, ws: client.url,
        iceServers: client.iceServers.map((server) => [].concat(server.urls))};
      """);
    JsonObject json = new JsonObject(seen);
    assertEquals("https://127.0.0.1:" + port, json.getString("origin"), json.encode());
    assertEquals(Boolean.TRUE, json.getBoolean("secure"), json.encode());
    assertEquals("wss://127.0.0.1:" + port + "/ws", json.getString("ws"), json.encode());
    assertEquals(new JsonArray().add(new JsonArray().add(turns)), json.getJsonArray("iceServers"), json.encode());
  }

  /** The demo page from the one port, joining at once with a token minted here (relay nodes have no dev tokens). */
  private static String pageUrl(TestNode node, int port, String room, String name) {
    String token = node.token(TestNode.unique(name), room);
    return "https://127.0.0.1:" + port + "/?room=" + encode(room) + "&name=" + encode(name) + "&autojoin=1&relay=1"
      + "#token=" + token;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
