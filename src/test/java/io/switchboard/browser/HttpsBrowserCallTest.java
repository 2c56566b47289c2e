package io.switchboard.browser;

import io.switchboard.testing.TestCertificates;
import io.switchboard.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The demo page served over https by a node with {@code http.tls}, in two headless Chromiums that accept the test
 * certificate: the page's SDK picks wss:// itself (the port speaks nothing else), both join one room and the call
 * comes up as in {@link BrowserCallTest}.
 */
@DisplayName("A call between two real browsers over https and wss")
class HttpsBrowserCallTest {

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    List<AutoCloseable> closing = new ArrayList<>(resources);
    resources.clear();
    BrowserResources.closeAll(closing);
  }

  @Test
  @DisplayName("the demo page over https: two browsers join over wss and decode each other's video")
  void callOverWss() {
    Chromium.requireInstalled();
    TestCertificates.Member pair = TestCertificates.newAuthority("web-browser").member("localhost");
    TestNode node = TestNode.start(TestNode.development().put("http", new JsonObject().put("tls", new JsonObject()
      .put("cert", pair.cert().toString()).put("key", pair.key().toString()))));
    resources.add(node);
    String room = TestNode.unique("https");
    String urlA = pageUrl(node, room, "alice");
    String urlB = pageUrl(node, room, "bob");
    Chromium alice = Chromium.trusting("alice", pair.cert());
    resources.add(0, alice);
    Chromium bob = Chromium.trusting("bob", pair.cert());
    resources.add(0, bob);

    alice.driver().get(urlA);
    bob.driver().get(urlB);
    BrowserCallTest.awaitCall(alice, urlA, bob, urlB);

    assertEquals("https:", alice.driver().executeScript("return location.protocol"));
    assertEquals(Boolean.TRUE, alice.driver().executeScript("return window.isSecureContext"));
  }

  private static String pageUrl(TestNode node, String room, String name) {
    return "https://127.0.0.1:" + node.port() + "/?room=" + encode(room) + "&name=" + encode(name) + "&autojoin=1";
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
