package io.switchboard.signaling.it;

import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.RawHttp;
import io.switchboard.testing.RawWebSocket;
import io.switchboard.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upgrades per second per address. No assertion depends on how fast this machine is: the count allowed before
 * the first 429 is checked against the burst plus what the elapsed time could have refilled.
 */
@DisplayName("Upgrade rate per address: beyond the burst, 429 with a JSON error and no socket; refills over time")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpgradeRateTest {

  private static final int RATE = 1;
  private static final int BURST = 3;
  private static final String LIMITED = "127.0.0.21";
  private static final String OTHER = "127.0.0.22";
  private static final String OBSERVER = "127.0.0.29";
  private static final String REFUSED = "switchboard_http_upgrades_rate_limited_total";
  private static final String OPENED = "switchboard_sessions_opened_total";

  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single(new JsonObject().put("http", new JsonObject()
    .put("upgradesPerSecondPerAddress", RATE)
    .put("upgradeBurstPerAddress", BURST)
    .put("exemptAddresses", new JsonArray())));

  private static TestNode node() {
    return NODES.node();
  }

  private static String metrics() {
    return RawHttp.get(OBSERVER, node().port(), "/metrics").body();
  }

  @Test
  @DisplayName("the burst is admitted, then 429 rate-limited before the token is looked at; another address "
    + "is unaffected; a refilled token lets the next upgrade through")
  void burstRefusalAndRefill() throws IOException {
    String room = TestNode.unique("rate");
    String before = metrics();
    List<RawWebSocket> open = new ArrayList<>();
    try {
      long start = System.nanoTime();
      RawWebSocket.Handshake refusal = null;
      int accepted = 0;
      for (int attempt = 0; attempt < 20 && refusal == null; attempt++) {
        RawWebSocket.Handshake handshake =
          RawWebSocket.upgrade(LIMITED, node().port(), node().token("u" + attempt, room));
        if (handshake.status() == 101) {
          open.add(handshake.socket());
          accepted++;
        } else {
          refusal = handshake;
        }
      }
      double elapsedSeconds = (System.nanoTime() - start) / 1e9;
      assertNotNull(refusal, "20 upgrades from one address were all accepted");
      assertTrue(accepted >= BURST, "the burst must be admitted: " + accepted);
      assertTrue(accepted <= BURST + Math.ceil(elapsedSeconds * RATE),
        accepted + " admitted in " + elapsedSeconds + " s");

      assertEquals(429, refusal.status());
      assertEquals("rate-limited", refusal.json().getString("error"));
      assertFalse(refusal.json().getString("message", "").isBlank());
      assertEquals("1", new RawHttp.Head(429, refusal.head()).header("Retry-After"));

      // refused before the token is checked: a bad token gets 429 too, and costs no verification
      RawWebSocket.Handshake badToken = RawWebSocket.upgrade(LIMITED, node().port(), "not-a-token");
      assertEquals(429, badToken.status());

      RawWebSocket.Handshake other = RawWebSocket.upgrade(OTHER, node().port(), node().token("other", room));
      assertEquals(101, other.status(), "another address has its own bucket");
      open.add(other.socket());

      int refused = 2;
      RawWebSocket refilled = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (refilled == null && System.nanoTime() < deadline) {
        RawWebSocket.Handshake retry = RawWebSocket.upgrade(LIMITED, node().port(), node().token("late", room));
        if (retry.status() == 101) {
          refilled = retry.socket();
        } else {
          assertEquals(429, retry.status());
          refused++;
          sleep(200);
        }
      }
      assertNotNull(refilled, "a token must refill within 10 s at " + RATE + "/s");
      open.add(refilled);

      assertEquals(Metrics.value(before, REFUSED) + refused, Metrics.value(metrics(), REFUSED),
        "every 429 is counted");
      double opened = Metrics.value(before, OPENED) + accepted + 2;
      assertEquals(opened, Metrics.awaitValue(() -> Metrics.value(metrics(), OPENED), opened, 5000),
        "sessions opened: the accepted upgrades only");
    } finally {
      for (RawWebSocket socket : open) {
        socket.close();
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
