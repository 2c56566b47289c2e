package io.switchboard.browser;

import io.switchboard.browser.BrowserCallTest.Call;
import io.switchboard.browser.BrowserCallTest.Snapshot;
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

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.switchboard.testing.netns.NetnsRig.home;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two browsers on two different home networks call each other through one node on the public segment, with the
 * node's own STUN/TURN relay in their iceServers (src/test/netns/rig.sh builds the networks). Behind symmetric NATs
 * on both sides no direct path exists, so the call must go through the relay; behind full-cone NATs a direct path
 * exists, so the relay must carry nothing.
 */
@DisplayName("Calls between home networks behind real NATs (network namespaces)")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NatTraversalIT {

  private static final String BYTES_TO_PEER = "switchboard_turn_bytes_total{direction=\"client_to_peer\"}";
  private static final String BYTES_TO_CLIENT = "switchboard_turn_bytes_total{direction=\"peer_to_client\"}";

  /** Tens of kilobytes: media, not just connectivity checks (a STUN check is about 100 bytes). */
  private static final double RELAYED_MEDIA_BYTES = 50_000;
  /** More than the relayed connectivity checks of a call's setup (a few hundred bytes), far less than media. */
  private static final double CONNECTIVITY_CHECK_BYTES = 5_000;

  private static NetnsRig rig;
  private static NetnsNode node;
  private NetnsPages pages;
  /** Alice's browser in the current test. */
  private Chromium alice;

  @BeforeAll
  static void buildNetworks() {
    rig = NetnsRig.up(1, home("cone1", Kind.FULLCONE), home("cone2", Kind.FULLCONE),
      home("sym1", Kind.SYMMETRIC), home("sym2", Kind.SYMMETRIC));
    try {
      node = NetnsNode.start(rig, 1, NetnsNode.environment(rig, 1, 8080), false)
        .awaitHealthy(1, Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      rig.close();
      throw e;
    }
  }

  @AfterAll
  static void tearDownNetworks() throws Exception {
    BrowserResources.closeAll(Arrays.asList(node, rig));
  }

  @AfterEach
  void closeBrowsers() throws Exception {
    if (pages != null) {
      pages.close();
    }
  }

  @Test
  @DisplayName("symmetric NAT on both sides: the selected pair is relayed, media crosses the node's relay both ways")
  void symmetricNatsNeedTheRelay() {
    double toPeerBefore = node.metric(BYTES_TO_PEER);
    double toClientBefore = node.metric(BYTES_TO_CLIENT);

    Call call = call("sym1", "sym2");

    for (Snapshot page : List.of(call.a(), call.b())) {
      JsonObject pair = selectedPair(page);
      assertTrue(List.of(pair.getString("localCandidateType"), pair.getString("remoteCandidateType"))
        .contains("relay"), "a symmetric NAT on each side leaves only relayed pairs: " + page.json().encode());
    }
    // media, not just connectivity checks: tens of kilobytes each way through the relay (video at a few hundred
    // kbit/s gets there within a second or two; the wait is a bound, not a measure)
    assertRelayedAtLeast(BYTES_TO_PEER, toPeerBefore + RELAYED_MEDIA_BYTES);
    assertRelayedAtLeast(BYTES_TO_CLIENT, toClientBefore + RELAYED_MEDIA_BYTES);
  }

  @Test
  @DisplayName("full-cone NAT on both sides: the selected pair is direct (srflx or host), the relay carries nothing")
  void fullConeNatsGoDirect() {
    double relayedBefore = relayed();

    Call call = call("cone1", "cone2");

    for (Snapshot page : List.of(call.a(), call.b())) {
      JsonObject pair = selectedPair(page);
      assertFalse(List.of(pair.getString("localCandidateType"), pair.getString("remoteCandidateType"))
        .contains("relay"), "a direct path exists between full-cone NATs: " + page.json().encode());
    }
    // Setting up, ICE checks the relayed pairs too: a few STUN checks go through the relay until ICE prunes those
    // pairs, which it does soon after a direct pair is selected. No media.
    double setUp = awaitRelayQuiet() - relayedBefore;
    assertTrue(setUp < CONNECTIVITY_CHECK_BYTES, "the relay carried " + setUp + " bytes while the call was set up");
    // From then on, while video keeps flowing directly, not one byte through the relay.
    long framesBefore = framesDecoded(BrowserCallTest.snapshot(alice));
    sleep(3000);
    long framesAfter = framesDecoded(BrowserCallTest.snapshot(alice));
    assertTrue(framesAfter > framesBefore, "video kept flowing: " + framesBefore + " then " + framesAfter);
    assertEquals(0.0, relayed() - relayedBefore - setUp, "bytes relayed while the call ran on a direct path");
  }

  /** Waits until the relayed byte counters stay still for 2 s (10 s at most); returns their sum. */
  private static double awaitRelayQuiet() {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    double last = relayed();
    long stillSince = System.nanoTime();
    while (System.nanoTime() - stillSince < Duration.ofSeconds(2).toNanos() && System.nanoTime() < deadline) {
      sleep(250);
      double now = relayed();
      if (now != last) {
        last = now;
        stillSince = System.nanoTime();
      }
    }
    return last;
  }

  private static double relayed() {
    return node.metric(BYTES_TO_PEER) + node.metric(BYTES_TO_CLIENT);
  }

  private static long framesDecoded(Snapshot page) {
    return page.onlyPeerStats().getLong("framesDecoded", 0L);
  }

  /** Alice in home {@code homeA}, Bob in {@code homeB}, one room on the node; waits for the call to be up. */
  private Call call(String homeA, String homeB) {
    pages = new NetnsPages(rig);
    String room = TestNode.unique("nat");
    String urlA = NetnsPages.pageUrl(node, room, "alice", List.of(node));
    String urlB = NetnsPages.pageUrl(node, room, "bob", List.of(node));
    List<String> origins = List.of(node.httpUrl());
    alice = pages.open(homeA, urlA, origins);
    Chromium bob = pages.open(homeB, urlB, origins);
    return BrowserCallTest.awaitCall(alice, urlA, bob, urlB);
  }

  /** Waits (10 s at most) until {@code series} reaches {@code bytes}; fails with the last value. */
  private static void assertRelayedAtLeast(String series, double bytes) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    double value = node.metric(series);
    while (value < bytes && System.nanoTime() < deadline) {
      sleep(250);
      value = node.metric(series);
    }
    assertTrue(value >= bytes, series + " is " + value + ", expected at least " + bytes);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject selectedPair(Snapshot page) {
    JsonObject pair = page.onlyPeerStats().getJsonObject("selectedCandidatePair");
    assertNotNull(pair, "no selected candidate pair: " + page.json().encode());
    return pair;
  }
}
