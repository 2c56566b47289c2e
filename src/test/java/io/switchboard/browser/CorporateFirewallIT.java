package io.switchboard.browser;

import io.switchboard.browser.BrowserCallTest.Call;
import io.switchboard.browser.BrowserCallTest.Snapshot;
import io.switchboard.testing.TestCertificates;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.netns.NetnsNode;
import io.switchboard.testing.netns.NetnsRig;
import io.switchboard.testing.netns.NetnsRig.Kind;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static io.switchboard.testing.netns.NetnsRig.home;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A page behind a corporate firewall that lets out TCP to port 443 only calls a page behind a home NAT, through a node
 * run two ways (from {@code src/test/resources/netns/corporate.properties}): with signaling on 443 over plain HTTP
 * and a UDP-only relay, ICE fails and the page must tell the user why; with one-port mode on 443 (HTTPS, wss and
 * TURN over TLS), the call connects through the corporate page's TURN-over-TLS relay candidate.
 */
@DisplayName("A page behind a corporate firewall (TCP 443 only)")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class CorporateFirewallIT {

  /** Chromium gives up on a pair after its checks time out, ~30 s after the last candidate; a bound, not a measure. */
  private static final Duration ICE_FAILURE_DEADLINE = Duration.ofSeconds(60);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(500);

  private static final System.Logger LOG = System.getLogger(CorporateFirewallIT.class.getName());

  private static NetnsRig rig;
  private NetnsNode node;

  /** corporate.properties with ${NODE}, ${CERT} and ${KEY} replaced. */
  private record Config(String expect, String pageOrigin, List<String> browserFlags, Map<String, String> env) {

    /** The way named {@code prefix} (udpOnly, onePort). */
    static Config load(String prefix, String nodeAddress) {
      Properties properties = new Properties();
      try (InputStream in = CorporateFirewallIT.class.getResourceAsStream("/netns/corporate.properties")) {
        properties.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      TestCertificates.Member certificate = TestCertificates.newAuthority("corporate")
        .member("corporate-node", List.of(nodeAddress));
      Map<String, String> values = Map.of("${NODE}", nodeAddress, "${CERT}", certificate.cert().toString(),
        "${KEY}", certificate.key().toString());
      Map<String, String> resolved = new HashMap<>();
      for (String key : properties.stringPropertyNames()) {
        if (!key.startsWith(prefix + ".")) {
          continue;
        }
        String value = properties.getProperty(key);
        for (Map.Entry<String, String> entry : values.entrySet()) {
          value = value.replace(entry.getKey(), entry.getValue());
        }
        resolved.put(key.substring(prefix.length() + 1), value.trim());
      }
      Map<String, String> env = new HashMap<>();
      resolved.forEach((key, value) -> {
        if (key.startsWith("env.")) {
          env.put(key.substring("env.".length()), value);
        }
      });
      String flags = resolved.getOrDefault("browser.flags", "");
      return new Config(resolved.get("expect"), resolved.get("page.origin"),
        flags.isEmpty() ? List.of() : Arrays.asList(flags.split("\\s+")), env);
    }
  }

  @BeforeAll
  static void buildNetworks() {
    rig = NetnsRig.up(1, home("corp", Kind.CORPORATE), home("home", Kind.FULLCONE));
  }

  @AfterEach
  void stopNode() throws Exception {
    BrowserResources.closeAll(Arrays.asList(node));
    node = null;
  }

  @AfterAll
  static void tearDownNetworks() throws Exception {
    BrowserResources.closeAll(Arrays.asList(rig));
  }

  @Test
  @DisplayName("with only a UDP relay, signaling on 443 works but ICE fails, and the page says why")
  void udpOnlyRelayFails() throws Exception {
    callFromBehindTheFirewall("udpOnly");
  }

  @Test
  @DisplayName("with one-port mode on 443, the call connects through TURN over TLS")
  void onePortRelayConnects() throws Exception {
    callFromBehindTheFirewall("onePort");
  }

  private void callFromBehindTheFirewall(String way) throws Exception {
    Config config = Config.load(way, rig.nodeAddress(1));
    Map<String, String> env = NetnsNode.environment(rig, 1, 443);
    env.putAll(config.env());
    node = NetnsNode.start(rig, 1, env, false).awaitHealthy(1, Duration.ofSeconds(60));
    String room = TestNode.unique("corp");
    String urlA = NetnsPages.pageUrl(config.pageOrigin(), room, "alice", List.of());
    String urlB = NetnsPages.pageUrl(config.pageOrigin(), room, "bob", List.of());
    try (NetnsPages pages = new NetnsPages(rig)) {
      List<String> origins = List.of(config.pageOrigin());
      Chromium alice = pages.open("corp", urlA, origins, config.browserFlags());
      Chromium bob = pages.open("home", urlB, origins, config.browserFlags());
      switch (config.expect()) {
        case "ice-failed" -> assertIceFailsAndPageSaysWhy(alice, urlA, bob);
        case "relay" -> assertCallThroughRelay(alice, urlA, bob, urlB);
        default -> fail("corporate.properties: expect must be ice-failed or relay, not " + config.expect());
      }
    }
  }

  /**
   * Signaling reaches the node (both pages joined and see each other: TCP 443 gets out), media cannot: the
   * corporate page's connection fails, it decodes nothing, and its status line names the cause and the remedy.
   */
  private static void assertIceFailsAndPageSaysWhy(Chromium alice, String urlA, Chromium bob) {
    long deadline = System.nanoTime() + ICE_FAILURE_DEADLINE.toNanos();
    Snapshot page = BrowserCallTest.snapshot(alice);
    // the status line is what the user sees; the connection itself may already be checking again (one restart)
    while (!status(page).startsWith("No media connection") && System.nanoTime() < deadline) {
      sleep(POLL_INTERVAL);
      page = BrowserCallTest.snapshot(alice);
    }
    LOG.log(System.Logger.Level.INFO, "status after {0} ms: {1}",
      ICE_FAILURE_DEADLINE.toMillis() - (deadline - System.nanoTime()) / 1_000_000, status(page));
    String diagnostics = BrowserCallTest.diagnostics(alice, urlA, page);
    assertTrue(page.state().getBoolean("joined", false), "signaling on TCP 443 gets through: " + diagnostics);
    assertEquals(1, page.state().getJsonArray("peers").size(), "alice sees bob: " + diagnostics);
    String status = status(page);
    assertTrue(status.startsWith("No media connection with bob"), "ICE must fail within "
      + ICE_FAILURE_DEADLINE.toSeconds() + " s, and the status line say so: " + diagnostics);
    assertTrue(!"connected".equals(connectionState(page)), diagnostics);
    assertEquals(0L, page.onlyPeerStats().getLong("framesDecoded", 0L), diagnostics);
    assertTrue(status.contains("TURN relay could not be reached") && status.contains("TURN over TLS on port 443"),
      "and why, and what would help: " + status);
    Snapshot other = BrowserCallTest.snapshot(bob);
    assertTrue(other.state().getBoolean("joined", false), "bob joined: " + other.json().encode());
  }

  /** The success path: the corporate page's media goes out through its TURN-over-TLS relay candidate on 443. */
  private static void assertCallThroughRelay(Chromium alice, String urlA, Chromium bob, String urlB) {
    Call call = BrowserCallTest.awaitCall(alice, urlA, bob, urlB);
    JsonObject pair = call.a().onlyPeerStats().getJsonObject("selectedCandidatePair");
    assertEquals("relay", pair == null ? null : pair.getString("localCandidateType"),
      "behind the firewall only the relay gets out: " + call.a().json().encode());
  }

  private static String status(Snapshot page) {
    return page.json().getString("status", "");
  }

  private static String connectionState(Snapshot page) {
    JsonObject stats = page.stats();
    return stats.size() == 1 ? page.onlyPeerStats().getString("connectionState") : null;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
