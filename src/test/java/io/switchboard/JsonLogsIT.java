package io.switchboard;

import io.switchboard.testing.Http;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.ProcessCluster;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A node process started with {@code SWITCHBOARD_LOG_FORMAT=json} (docs/operations.md, "Logs"): from start to
 * drained exit, every line it writes (its own, Vert.x's, Hazelcast's) is one JSON object with the stable fields; a
 * join's line carries the room and the session as fields; no token appears.
 */
@DisplayName("log.format json: a node process writes only JSON lines, with room and session on a join's")
class JsonLogsIT {

  private static final Set<String> LEVELS = Set.of("ERROR", "WARNING", "INFO", "DEBUG", "TRACE");

  @Test
  @DisplayName("start, a join, refused tokens and a drained stop: every line parses and has its fields")
  void everyLineIsJson() throws Exception {
    String room = TestNode.unique("json-logs");
    String token = TestTokens.participant("alice", room, null);
    String forged = TestTokens.participant("mallory", room, null) + "x";
    NodeProcess node;
    try (ProcessCluster cluster = ProcessCluster.start(1, 1, Map.of("SWITCHBOARD_LOG_FORMAT", "json"))) {
      node = cluster.node(0);
      Vertx vertx = Vertx.vertx();
      try {
        WebSocketClient client = WsClient.newClient(vertx);
        WsClient.join(client, node.port(), token).close();
        assertEquals(401, WsClient.refusal(client, node.port(), forged).getStatus());
        assertEquals(401, Http.get(node.port(), "/api/rooms", forged).status());
      } finally {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
      node.terminate();
      // 128 + SIGTERM: the JVM's status after its shutdown hook (the drain) ran
      assertEquals(143, node.waitForExit(Duration.ofSeconds(60)), node.tail());
      List<JsonObject> lines = parse(node.logText(), node.nodeId());
      assertTrue(lines.stream().anyMatch(line -> line.getString("message").contains("ready")), "the ready line");
      assertTrue(lines.stream().anyMatch(line -> line.getString("message").contains("draining")), "the drain line");
      JsonObject join = lines.stream().filter(line -> room.equals(line.getString("room"))).findFirst()
        .orElseThrow(() -> new AssertionError("no line with room " + room + ":\n" + node.logText()));
      assertTrue(join.getString("message").contains("joined"), join.encode());
      assertTrue(join.getString("session") != null && !join.getString("session").isEmpty(), join.encode());
      assertTrue(join.getString("message").contains(join.getString("session")), join.encode());
      String text = node.logText();
      assertFalse(text.contains(token) || text.contains(forged) || text.contains("access_token"), "a token in the log");
    }
  }

  /** Every line of {@code text} as JSON with the fields every line has; fails on the first line that is not. */
  private static List<JsonObject> parse(String text, String nodeId) {
    List<JsonObject> lines = new ArrayList<>();
    assertFalse(text.isBlank(), "the node wrote nothing");
    for (String raw : text.split("\n", -1)) {
      if (raw.isEmpty()) {
        continue; // the newline after the last line
      }
      JsonObject line;
      try {
        line = new JsonObject(raw);
      } catch (DecodeException e) {
        fail("not a JSON line: " + raw + "\nwhole log:\n" + text);
        return lines;
      }
      Instant.parse(line.getString("time"));
      assertTrue(line.getString("time").endsWith("Z"), raw);
      assertTrue(LEVELS.contains(line.getString("level")), raw);
      assertTrue(line.getString("logger") != null && line.getString("message") != null, raw);
      assertEquals(nodeId, line.getString("node"), raw);
      lines.add(line);
    }
    return lines;
  }
}
