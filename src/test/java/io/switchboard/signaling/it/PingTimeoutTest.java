package io.switchboard.signaling.it;

import io.switchboard.testing.Metrics;
import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md, "Liveness" and "Close codes": a session silent for more than two ping intervals is closed
 * with {@code 4008} {@code ping timeout}, counted in {@code switchboard_sessions_liveness_dropped_total}, and
 * waits in its grace period, so the client can resume it.
 */
@DisplayName("Ping timeout: a client that answers no pings gets 4008, is counted once, and may resume")
class PingTimeoutTest {

  private static final int INTERVAL_SECONDS = 1;
  private static final String DROPPED = "switchboard_sessions_liveness_dropped_total";

  // the default grace period (20 s) keeps the dropped session resumable for the rest of the test
  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single(new JsonObject()
    .put("limits", new JsonObject().put("pingIntervalSeconds", INTERVAL_SECONDS)));

  @Test
  @DisplayName("silent for two intervals: close 4008 'ping timeout' after unanswered pings; the metric moves by"
    + " exactly one (the client that answers is not dropped); nobody hears of it and the session resumes")
  void silentClientGets4008() throws Exception {
    String room = TestNode.unique("liveness");
    TestNode node = NODES.node();
    WsClient observer = NODES.join("observer", room); // Vert.x answers every ping for it
    double droppedBefore = Metrics.value(node.port(), DROPPED);
    MuteWebSocket.Close close;
    String muteId;
    String resumeToken;
    long silentMillis;
    try (MuteWebSocket mute = MuteWebSocket.join(node.port(), node.token("mute", room))) {
      long welcomedAt = System.nanoTime();
      muteId = mute.welcome().getString("id");
      resumeToken = mute.welcome().getString("resumeToken");
      assertEquals(muteId, observer.expect("peer-joined").getJsonObject("peer").getString("id"));
      close = mute.awaitClose(Duration.ofSeconds(30));
      silentMillis = (System.nanoTime() - welcomedAt) / 1_000_000;
    }
    assertEquals(4008, close.code(), "close code: " + close);
    assertEquals("ping timeout", close.reason());
    assertTrue(close.pings() >= 1, "the node pinged before giving up: " + close);
    assertTrue(silentMillis >= 2000L * INTERVAL_SECONDS, "closed after " + silentMillis + " ms, before two intervals");
    assertEquals(droppedBefore + 1, Metrics.value(node.port(), DROPPED),
      "one silent session counted once; the observer answered its pings and was not dropped");

    // a ping timeout is a lost connection, not a departure: the room is not told and the client resumes
    observer.expectNothing(300);
    WsClient resumed = WsClient.resume(NODES.client(), node.port(), node.token("mute", room), resumeToken);
    assertNull(resumed.resumeError(), "resume after 4008 refused: " + resumed.resumeError());
    assertEquals(muteId, resumed.id());
    assertEquals(Boolean.TRUE, resumed.welcome().getBoolean("resumed"));
    observer.send(new JsonObject().put("type", "ping"));
    observer.expect("pong"); // nothing (peer-left, peer-joined) came before it
    assertFalse(observer.isClosed());
  }
}
