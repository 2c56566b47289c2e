package io.switchboard.signaling.it;

import io.switchboard.testing.Metrics;
import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/operations.md, "Metrics": {@code switchboard_frames_received_total{type}} counts valid client frames
 * (accepted by the rate limit and the parser) and {@code switchboard_frames_dropped_total} the frames the
 * per-session rate limit dropped. Both are checked as exact deltas against what the clients themselves saw.
 */
@DisplayName("Frame counters: received by type and dropped by the rate limit move by exactly what was sent")
class FrameCountersTest {

  private static final int BURST = 20;
  private static final int FLOOD = 60;
  private static final List<String> TYPES = List.of("offer", "answer", "candidate", "message", "ping", "leave");
  private static final String DROPPED = "switchboard_frames_dropped_total";

  // one frame a second after a burst of 20, and never closed for it (abuse only after an hour)
  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single(new JsonObject().put("limits", new JsonObject()
    .put("rateFramesPerSecond", 1).put("rateBurst", BURST).put("rateAbuseSeconds", 3600)));

  private static double metric(String series) {
    return Metrics.value(NODES.port(), series);
  }

  private static Map<String, Double> received() {
    Map<String, Double> counts = new LinkedHashMap<>();
    TYPES.forEach(type -> counts.put(type, metric("switchboard_frames_received_total{type=\"" + type + "\"}")));
    return counts;
  }

  private static double error(String code) {
    return metric("switchboard_errors_total{code=\"" + code + "\"}");
  }

  private static JsonObject directed(String type, String to) {
    return new JsonObject().put("type", type).put("to", to);
  }

  @Test
  @DisplayName("each valid frame counts once under its type; invalid frames count nowhere; nothing is dropped")
  void receivedByType() {
    String room = TestNode.unique("counters");
    WsClient alice = NODES.join("alice", room);
    WsClient bob = NODES.join("bob", room);
    alice.expect("peer-joined");
    Map<String, Double> before = received();
    double droppedBefore = metric(DROPPED);
    double badBefore = error("bad-message");

    alice.send(directed("offer", bob.id()).put("sdp", "v=0 1"));
    alice.send(directed("offer", bob.id()).put("sdp", "v=0 2"));
    alice.send(directed("answer", bob.id()).put("sdp", "v=0 3"));
    alice.send(directed("candidate", bob.id()).put("candidate", new JsonObject().put("candidate", "c")));
    alice.send(directed("candidate", bob.id()).putNull("candidate"));
    alice.send(new JsonObject().put("type", "message").put("data", "to everyone"));
    alice.send(new JsonObject().put("type", "ping"));
    alice.sendText("{\"type\":\"no-such-type\"}");
    alice.sendBinary(new byte[] {1, 2, 3});
    for (String type : List.of("offer", "offer", "answer", "candidate", "candidate", "message")) {
      bob.expect(type);
    }
    alice.expect("pong");
    alice.expectError("bad-message");
    alice.expectError("bad-message");
    alice.send(new JsonObject().put("type", "leave"));
    bob.expect("peer-left"); // every frame of alice's has been handled

    Map<String, Double> after = received();
    Map<String, Double> expected = Map.of("offer", 2.0, "answer", 1.0, "candidate", 2.0, "message", 1.0,
      "ping", 1.0, "leave", 1.0);
    for (String type : TYPES) {
      assertEquals(expected.get(type), after.get(type) - before.get(type), "frames_received_total{type=" + type + "}");
    }
    assertEquals(droppedBefore, metric(DROPPED), "nothing was over the rate");
    assertEquals(badBefore + 2, error("bad-message"));
  }

  @Test
  @DisplayName("a flood over the rate: dropped counts every frame that got no answer, received every one that did")
  void droppedByRate() throws Exception {
    String room = TestNode.unique("counters");
    WsClient alice = NODES.join("alice", room);
    WsClient bob = NODES.join("bob", room);
    alice.expect("peer-joined");
    Map<String, Double> before = received();
    double droppedBefore = metric(DROPPED);
    double warnedBefore = error("rate-limited");

    for (int i = 0; i < FLOOD; i++) {
      alice.send(new JsonObject().put("type", "ping"));
    }
    int[] sentinels = throughTheLimit(alice, bob);
    int sent = sentinels[0];
    int arrived = sentinels[1];
    // bob answers; alice's pongs and warnings were all written to her before that answer
    bob.send(new JsonObject().put("type", "message").put("to", alice.id()).put("data", "sync"));
    int pongs = 0;
    int warnings = 0;
    for (JsonObject frame = alice.next(); !"message".equals(frame.getString("type")); frame = alice.next()) {
      if ("pong".equals(frame.getString("type"))) {
        pongs++;
      } else {
        assertEquals("rate-limited", frame.getString("code"), frame.encode());
        warnings++;
      }
    }
    assertTrue(pongs >= BURST && pongs < FLOOD, pongs + " of " + FLOOD + " pings answered: the bucket starts full"
      + " and the flood must go over it");

    Map<String, Double> after = received();
    assertEquals(pongs, after.get("ping") - before.get("ping"), "received{ping}: the pings that were answered");
    assertEquals(arrived + 1.0, after.get("message") - before.get("message"), "received{message}: sentinels + sync");
    assertEquals(FLOOD - pongs + sent - arrived, metric(DROPPED) - droppedBefore,
      "dropped: every ping without a pong and every sentinel that never arrived");
    assertEquals(warnings, error("rate-limited") - warnedBefore, "rate-limited errors: the ones alice got");
  }

  /**
   * Sends alice's messages to bob, one a second, until one arrives (the bucket refills one frame a second). Alice's
   * frames are handled in order, so once it has arrived every ping of the flood has been answered or dropped.
   * Returns {sentinels sent, sentinels that arrived}.
   */
  private static int[] throughTheLimit(WsClient alice, WsClient bob) throws InterruptedException {
    int sent = 0;
    int arrived = 0;
    while (true) {
      assertTrue(sent < 10, "no message got through the rate limit in " + sent + " tries");
      Thread.sleep(1200);
      String mark = "sentinel-" + sent++;
      alice.send(directed("message", bob.id()).put("data", mark));
      // a dropped sentinel never comes; a late one from an earlier try may come first
      for (JsonObject frame = bob.poll(10_000); frame != null; frame = bob.poll(10_000)) {
        assertEquals("message", frame.getString("type"), frame.encode());
        arrived++;
        if (mark.equals(frame.getString("data"))) {
          return new int[] {sent, arrived};
        }
      }
    }
  }
}
