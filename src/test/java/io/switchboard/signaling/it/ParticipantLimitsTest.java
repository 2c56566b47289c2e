package io.switchboard.signaling.it;

import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.Http;
import io.switchboard.testing.ManualClock;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rate limits belong to the participant (identity and room) on the node, not to the socket: a reconnect does
 * not refill them, bytes are budgeted as well as frames (a broadcast counts once per receiver), and the admin API
 * shows who is being limited.
 */
@DisplayName("Per-participant limits: frames and bytes, surviving reconnects, visible to admins")
class ParticipantLimitsTest {

  /** The node's clock: it stands still, so buckets refill only when a test moves it. */
  private static final ManualClock CLOCK = new ManualClock();

  // one frame a second after a burst of 10
  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single(new JsonObject().put("limits", new JsonObject()
    .put("maxFrameBytes", 2048)
    .put("rateFramesPerSecond", 1)
    .put("rateBurst", 10)
    .put("rateBytesPerSecond", 1024)
    .put("rateBytesBurst", 4096)
    .put("rateAbuseSeconds", 3600)), CLOCK);

  private static TestNode node() {
    return NODES.node();
  }

  private static WsClient join(String identity, String room) {
    return WsClient.join(NODES.client(), node().port(), node().token(identity, room));
  }

  /** Valid pings plus frames dropped by the rate: every ping the node has handled. */
  private static double pingsHandled() {
    String metrics = Metrics.scrape(node().port());
    return Metrics.value(metrics, "switchboard_frames_received_total{type=\"ping\"}")
      + Metrics.value(metrics, "switchboard_frames_dropped_total");
  }

  /**
   * Sends {@code pings} while the clock stands still, and counts their pongs: once the node has handled them all,
   * the clock moves on a second (one frame at one a second), and a marker the session must be answered for
   * follows them; the pongs are those that came before the marker's answer.
   */
  private static int pongsFor(WsClient session, int pings) {
    double before = pingsHandled();
    for (int i = 0; i < pings; i++) {
      session.socket().writeTextMessage("{\"type\":\"ping\"}");
    }
    assertEquals(before + pings, Metrics.awaitValue(ParticipantLimitsTest::pingsHandled, before + pings,
      WsClient.WAIT.toMillis()), "pings handled");
    CLOCK.advance(Duration.ofSeconds(1));
    session.sendText("{\"type\":\"marker\",\"ref\":\"marker\"}");
    int pongs = 0;
    for (JsonObject frame = session.next(); !"marker".equals(frame.getString("ref")); frame = session.next()) {
      if ("pong".equals(frame.getString("type"))) {
        pongs++;
      } else {
        assertEquals("rate-limited", frame.getString("code"), frame.encode());
      }
    }
    return pongs;
  }

  @Test
  @DisplayName("a reconnect continues the participant's frame bucket instead of starting with a full one")
  void reconnectDoesNotRefill() {
    String room = TestNode.unique("limits");
    WsClient first = join("mallory", room);
    assertEquals(10, pongsFor(first, 10), "the burst");
    first.close();
    first.awaitClose();
    WsClient again = join("mallory", room);
    assertEquals(0, pongsFor(again, 10), "a fresh socket must not mean a fresh burst");
    WsClient stranger = join("someone-else", room);
    assertEquals(10, pongsFor(stranger, 10), "another participant has a bucket of its own");
  }

  @Test
  @DisplayName("bytes are budgeted: beyond the burst a directed frame is dropped with rate-limited (ref echoed)")
  void byteBudget() {
    String room = TestNode.unique("limits");
    WsClient alice = join("alice", room);
    WsClient bob = join("bob", room);
    alice.expect("peer-joined");
    String padding = "x".repeat(1400);
    for (int i = 0; i < 3; i++) {
      alice.send(new JsonObject().put("type", "message").put("to", bob.id()).put("data", padding + i)
        .put("ref", "m" + i));
    }
    JsonObject error = alice.expectError("rate-limited");
    assertEquals("m2", error.getString("ref"), "two of ~1.4 KB fit a 4 KB burst, the third does not");
    assertEquals(padding + "0", bob.expect("message").getString("data"));
    assertEquals(padding + "1", bob.expect("message").getString("data"));
    JsonArray limited = Http.get(node().port(), "/api/limits", node().adminToken()).json().getJsonArray("limited");
    JsonObject entry = limited.stream().map(JsonObject.class::cast)
      .filter(e -> e.getString("identity").equals("alice") && e.getString("room").equals(room))
      .findFirst().orElseThrow(() -> new AssertionError("alice not in " + limited.encode()));
    assertTrue(entry.getLong("droppedBytes") >= 1400, entry.encode());
    assertEquals(node().node().nodeId(), Http.get(node().port(), "/api/limits", node().adminToken()).json()
      .getString("node"));
  }

  @Test
  @DisplayName("a broadcast costs its size once per receiver")
  void broadcastCost() {
    String room = TestNode.unique("limits");
    WsClient speaker = join("speaker", room);
    WsClient one = join("one", room);
    WsClient two = join("two", room);
    WsClient three = join("three", room);
    String data = "y".repeat(1100);
    speaker.send(new JsonObject().put("type", "message").put("data", data).put("ref", "b0"));
    speaker.send(new JsonObject().put("type", "message").put("data", data).put("ref", "b1"));
    // three receivers: ~3.3 KB for the first, so the second does not fit the 4 KB burst
    assertEquals("b1", errorAfterPresence(speaker).getString("ref"));
    for (WsClient receiver : new WsClient[] {one, two, three}) {
      JsonObject frame = receiver.next();
      while ("peer-joined".equals(frame.getString("type"))) {
        frame = receiver.next();
      }
      assertEquals(data, frame.getString("data"));
    }
  }

  private static JsonObject errorAfterPresence(WsClient session) {
    JsonObject frame = session.next();
    while ("peer-joined".equals(frame.getString("type"))) {
      frame = session.next();
    }
    assertEquals("rate-limited", frame.getString("code"), frame.encode());
    return frame;
  }
}
