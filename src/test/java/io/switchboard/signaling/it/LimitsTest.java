package io.switchboard.signaling.it;

import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.Http;
import io.switchboard.testing.ManualClock;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.SilentWsClient;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Limits: frame size, rate, room size, liveness, slow receivers")
class LimitsTest {

  private static final int MAX_FRAME = 2048;
  private static final String PING = "{\"type\":\"ping\"}";
  // a dropped session is announced when its grace period ends: keep it short here
  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single(new JsonObject().put("limits", new JsonObject()
    .put("maxFrameBytes", MAX_FRAME)
    .put("rateFramesPerSecond", 20)
    .put("rateBurst", 20)
    .put("rateAbuseSeconds", 2)
    .put("maxParticipantsPerRoom", 3)
    .put("pingIntervalSeconds", 1))
    .put("rooms", new JsonObject().put("gracePeriodSeconds", 1)));

  private static TestNode node() {
    return NODES.node();
  }

  private static WsClient join(String identity, String room) {
    return WsClient.join(NODES.client(), node().port(), node().token(identity, room));
  }

  private static JsonObject messageOfSize(String to, int bytes) {
    JsonObject frame = new JsonObject().put("type", "message").put("to", to).put("data", "");
    int padding = bytes - frame.encode().length();
    return frame.put("data", "x".repeat(padding));
  }

  private static void ping(WsClient session) {
    session.send(new JsonObject().put("type", "ping"));
    session.expect("pong");
  }

  @Test
  @DisplayName("a frame over maxFrameBytes gets too-large and the session stays open; one at the limit is relayed")
  void tooLarge() {
    String room = TestNode.unique("limits");
    WsClient alice = join("alice", room);
    WsClient bob = join("bob", room);
    alice.expect("peer-joined");

    alice.send(messageOfSize(bob.id(), MAX_FRAME + 1));
    alice.expectError("too-large");

    JsonObject atLimit = messageOfSize(bob.id(), MAX_FRAME);
    assertEquals(MAX_FRAME, atLimit.encode().length());
    alice.send(atLimit);
    // alice's frames reach bob in the order sent: the one at the limit is the first he gets
    assertEquals(atLimit.getString("data"), bob.expect("message").getString("data"));
    ping(alice);
  }

  @Test
  @DisplayName("fragmented messages are joined, and an oversized fragmented one is dropped as too-large")
  void fragments() {
    String room = TestNode.unique("limits");
    WsClient alice = join("alice", room);
    WsClient bob = join("bob", room);
    alice.expect("peer-joined");

    String big = messageOfSize(bob.id(), 3 * 1000).encode();
    sendInFragments(alice, big, 1000);
    alice.expectError("too-large");

    String small = messageOfSize(bob.id(), 900).encode();
    sendInFragments(alice, small, 300);
    assertEquals(new JsonObject(small).getString("data"), bob.expect("message").getString("data"));
  }

  private static void sendInFragments(WsClient session, String text, int size) {
    Buffer bytes = Buffer.buffer(text);
    for (int start = 0; start < bytes.length(); start += size) {
      Buffer part = bytes.getBuffer(start, Math.min(bytes.length(), start + size));
      boolean last = start + size >= bytes.length();
      WebSocketFrame frame = start == 0 ? WebSocketFrame.textFrame(part.toString(), last)
        : WebSocketFrame.continuationFrame(part, last);
      WsClient.await(session.socket().writeFrame(frame));
    }
  }

  @Test
  @DisplayName("a frame beyond the hard cap (16 x maxFrameBytes) is not buffered: the connection is closed")
  void hardCap() {
    String room = TestNode.unique("limits");
    WsClient observer = join("observer", room);
    WsClient alice = join("alice", room);
    observer.expect("peer-joined");
    alice.socket().writeTextMessage("{\"type\":\"message\",\"data\":\"" + "x".repeat(MAX_FRAME * 16 + 100) + "\"}");
    // the server sends 1009 and closes at once; a client still writing may see the reset first (1006)
    short code = alice.awaitClose();
    assertTrue(code == 1009 || code == 1006, "close code " + code);
    assertEquals("disconnected", observer.expect("peer-left").getString("reason"));
  }

  @Test
  @DisplayName("a full room refuses the newcomer with room-full and 4003, disturbing nobody;"
    + " a replacement still gets in")
  void roomFull() {
    String room = TestNode.unique("limits");
    WsClient a = join("a", room);
    WsClient b = join("b", room);
    WsClient c = join("c", room);
    a.expect("peer-joined");
    a.expect("peer-joined");
    b.expect("peer-joined");

    WsClient d = WsClient.await(WsClient.open(NODES.client(), node().port(), node().token("d", room)));
    assertTrue(d.expectError("room-full").getString("message").contains("3 participants"), "the limit is named");
    assertEquals(4003, d.awaitClose());

    // presence changes reach each member in the order presence made them: the replacement that follows is the
    // next thing each hears of, so the refusal disturbed nobody
    WsClient c2 = join("c", room);
    assertEquals(2, c2.welcome().getJsonArray("peers").size());
    c.expectError("replaced");
    assertEquals(4001, c.awaitClose());
    for (WsClient stayer : new WsClient[] {a, b}) {
      assertEquals(new JsonObject().put("type", "peer-left").put("id", c.id()).put("reason", "replaced"),
        stayer.next());
    }
  }

  @Test
  @DisplayName("welcome never kills the joiner: one larger than maxQueuedBytes (big room, 1 KiB meta) is delivered")
  void welcomeLargerThanQueue() throws Exception {
    try (TestNode small = TestNode.start(new JsonObject().put("limits", new JsonObject()
      .put("maxQueuedBytes", 4096).put("maxParticipantsPerRoom", 20)))) {
      String room = TestNode.unique("big");
      JsonObject meta = new JsonObject().put("bio", "m".repeat(1000));
      java.util.List<WsClient> members = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        long now = System.currentTimeMillis() / 1000;
        String token = small.sign(io.switchboard.auth.TokenIssuer.participantClaims("p" + i, room, null, null, now,
          3600).put("meta", meta));
        members.add(WsClient.join(NODES.client(), small.port(), token));
      }
      JsonObject welcome = members.get(7).welcome();
      assertTrue(welcome.encode().length() > 4096,
        "the welcome is larger than the queue: " + welcome.encode().length());
      assertEquals(7, welcome.getJsonArray("peers").size());
      members.get(7).send(new JsonObject().put("type", "ping"));
      members.get(7).expect("pong");
      assertTrue(!members.get(7).isClosed(), "the newcomer is still connected");
    }
  }

  @Test
  @DisplayName("over the rate, frames are dropped with at most one rate-limited error a second; the session recovers")
  void rateLimit() throws Exception {
    // the node's clock stands still unless the test moves it: what passes is the burst plus what the test allows
    ManualClock clock = new ManualClock();
    try (TestNode limited = TestNode.start(new JsonObject().put("limits", new JsonObject()
      .put("rateFramesPerSecond", 20).put("rateBurst", 20).put("rateAbuseSeconds", 2)), clock)) {
      WsClient alice = WsClient.join(NODES.client(), limited.port(), limited.token("alice", TestNode.unique("limits")));
      for (int i = 0; i < 60; i++) {
        alice.socket().writeTextMessage(PING);
      }
      // the burst of 20 passes; of the 40 dropped only the first is answered, with this second's one warning
      for (int i = 0; i < 20; i++) {
        alice.expect("pong");
      }
      alice.expectError("rate-limited");
      assertEquals(40, Metrics.awaitValue(() -> dropped(limited), 40, WsClient.WAIT.toMillis()),
        "all 60 handled: 20 admitted, 40 dropped");

      // 60 ms at 20 frames/s earn one frame: its pong is the next frame, so the 39 others brought nothing
      clock.advance(Duration.ofMillis(60));
      alice.expectPongNext();
      alice.send(new JsonObject().put("type", "ping")); // nothing left: dropped, and this second was warned already
      assertEquals(41, Metrics.awaitValue(() -> dropped(limited), 41, WsClient.WAIT.toMillis()));

      // the bucket refills: the session works again, and a later second gets its own warning
      clock.advance(Duration.ofSeconds(2));
      alice.expectPongNext();
      for (int i = 0; i < 20; i++) {
        alice.socket().writeTextMessage(PING);
      }
      for (int i = 0; i < 19; i++) {
        alice.expect("pong");
      }
      // two seconds apart is no sustained abuse, which would close the session unwarned
      alice.expectError("rate-limited");
    }
  }

  private static double dropped(TestNode node) {
    return Metrics.value(node.port(), "switchboard_frames_dropped_total");
  }

  @Test
  @DisplayName("sustained abuse of the rate closes the session with 1008 and the others see it leave")
  void sustainedAbuse() throws InterruptedException {
    String room = TestNode.unique("limits");
    WsClient observer = join("observer", room);
    WsClient abuser = join("abuser", room);
    observer.expect("peer-joined");
    long deadline = System.currentTimeMillis() + 5000;
    while (!abuser.isClosed() && System.currentTimeMillis() < deadline) {
      for (int i = 0; i < 30; i++) {
        abuser.socket().writeTextMessage("{\"type\":\"ping\"}");
      }
      Thread.sleep(50);
    }
    assertEquals(1008, abuser.awaitClose());
    JsonObject left = observer.expect("peer-left");
    assertEquals(abuser.id(), left.getString("id"));
    assertEquals("disconnected", left.getString("reason"));
  }

  @Test
  @DisplayName("a peer that answers no pings is dropped after two intervals; one that answers stays")
  void liveness() throws Exception {
    String room = TestNode.unique("limits");
    WsClient alive = join("alive", room);
    try (SilentWsClient silent = SilentWsClient.connect(node().port(), node().token("silent", room))) {
      JsonObject joined = alive.expect("peer-joined");
      long start = System.currentTimeMillis();
      JsonObject left = alive.expect("peer-left");
      long took = System.currentTimeMillis() - start;
      assertEquals(joined.getJsonObject("peer").getString("id"), left.getString("id"));
      assertEquals("disconnected", left.getString("reason"));
      assertTrue(took >= 1500, "dropped too early: " + took + " ms");
    }
    ping(alive); // the responsive client has been pinged several times by now and is still in
    assertFalse(alive.isClosed());
  }

  @Test
  @DisplayName("a receiver that stops reading is closed once its send queue passes maxQueuedBytes;"
    + " the sender is unaffected")
  void slowReceiver() throws Exception {
    try (TestNode fast = TestNode.start(new JsonObject().put("limits", new JsonObject()
      .put("maxFrameBytes", 65536).put("maxQueuedBytes", 65536)
      .put("rateFramesPerSecond", 100_000).put("rateBurst", 100_000)
      .put("rateBytesPerSecond", Integer.MAX_VALUE).put("rateBytesBurst", Integer.MAX_VALUE)))) {
      String room = TestNode.unique("limits");
      WsClient sender = WsClient.join(NODES.client(), fast.port(), fast.token("sender", room));
      try (SilentWsClient slow = SilentWsClient.connect(fast.port(), fast.token("slow", room))) {
        String slowId = sender.expect("peer-joined").getJsonObject("peer").getString("id");
        String chunk = "x".repeat(60_000);
        JsonObject left = null;
        // the kernel's socket buffers absorb a few MB first; bounded at 40 MB of traffic
        for (int i = 0; i < 700 && left == null; i++) {
          sender.send(new JsonObject().put("type", "message").put("to", slowId).put("data", chunk));
          if (i % 50 == 49) {
            left = sender.poll(20);
          }
        }
        if (left == null) {
          left = sender.next();
        }
        assertEquals("peer-left", left.getString("type"), left.encode());
        assertEquals(slowId, left.getString("id"));
        assertEquals("disconnected", left.getString("reason"));
        String metrics = Http.get(fast.port(), "/metrics", null).body();
        assertTrue(metrics.contains("switchboard_sessions_slow_closed_total 1.0"),
          "one slow receiver counted once: " + metrics.lines().filter(l -> l.contains("slow_closed")).toList());
        sender.send(new JsonObject().put("type", "ping"));
        JsonObject frame;
        while (!"pong".equals((frame = sender.next()).getString("type"))) {
          // messages sent after the slow peer was removed are refused, nothing else
          assertEquals("unknown-peer", frame.getString("code"), frame.encode());
        }
      }
    }
  }
}
