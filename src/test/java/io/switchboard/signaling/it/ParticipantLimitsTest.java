package io.switchboard.signaling.it;

import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.Http;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rate limits belong to the participant (identity and room) on the node, not to the socket: a reconnect does
 * not refill them, bytes are budgeted as well as frames (a broadcast counts once per receiver), and the admin API
 * shows who is being limited.
 */
@DisplayName("Per-participant limits: frames and bytes, surviving reconnects, visible to admins")
class ParticipantLimitsTest {

  // one frame a second after a burst of 10: a reconnect a moment later must find the bucket still empty
  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single(new JsonObject().put("limits", new JsonObject()
    .put("maxFrameBytes", 2048)
    .put("rateFramesPerSecond", 1)
    .put("rateBurst", 10)
    .put("rateBytesPerSecond", 1024)
    .put("rateBytesBurst", 4096)
    .put("rateAbuseSeconds", 3600)));

  private static TestNode node() {
    return NODES.node();
  }

  private static WsClient join(String identity, String room) {
    return WsClient.join(NODES.client(), node().port(), node().token(identity, room));
  }

  /** Pings, then a marker: counts the pongs that came before the marker's error (or its pong). */
  private static int pongsFor(WsClient session, int pings) {
    for (int i = 0; i < pings; i++) {
      session.socket().writeTextMessage("{\"type\":\"ping\"}");
    }
    int pongs = 0;
    JsonObject frame;
    while ((frame = session.poll(1500)) != null) {
      if ("pong".equals(frame.getString("type"))) {
        pongs++;
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
    int pongs = pongsFor(again, 10);
    assertTrue(pongs <= 4, "a fresh socket must not mean a fresh burst: " + pongs + " of 10 answered");
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
