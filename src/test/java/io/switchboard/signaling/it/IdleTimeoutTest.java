package io.switchboard.signaling.it;

import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.RawHttp;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Idle timeout: idle keep-alive HTTP connections are closed; WebSocket sessions are not")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdleTimeoutTest {

  private static final int IDLE_SECONDS = 1;
  private static final long IDLE_MILLIS = TimeUnit.SECONDS.toMillis(IDLE_SECONDS);
  private static final String IDLE_CLOSED = "switchboard_http_connections_closed_total{reason=\"idle_timeout\"}";

  // pings every 15 s: none falls inside this test, so nothing but the exemption keeps a session open
  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single(new JsonObject()
    .put("limits", new JsonObject().put("pingIntervalSeconds", 15))
    .put("http", new JsonObject().put("idleTimeoutSeconds", IDLE_SECONDS).put("headerTimeoutSeconds", 30)));

  private static TestNode node() {
    return NODES.node();
  }

  private static double idleClosed() {
    return Metrics.value(RawHttp.get("127.0.0.1", node().port(), "/metrics").body(), IDLE_CLOSED);
  }

  @Test
  @DisplayName("a keep-alive connection stays open while requests keep coming, and is closed once idle")
  void keepAliveClosedWhenIdle() throws IOException {
    double before = idleClosed();
    try (Socket socket = RawHttp.connect("127.0.0.1", node().port())) {
      // four requests over more than the idle timeout: each one restarts the clock
      for (int i = 0; i < 4; i++) {
        RawHttp.send(socket, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertEquals(200, RawHttp.readResponse(socket.getInputStream()).status(), "request " + i);
        sleep(IDLE_MILLIS / 3);
      }
      RawHttp.send(socket, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertEquals(200, RawHttp.readResponse(socket.getInputStream()).status());
      long answered = System.nanoTime();
      assertTrue(RawHttp.awaitClosedByServer(socket, IDLE_MILLIS + 5000), "an idle connection must be closed");
      long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
      assertTrue(idle >= IDLE_MILLIS - 100, "closed after " + idle + " ms, before the idle timeout");
    }
    assertEquals(before + 1, Metrics.awaitValue(IdleTimeoutTest::idleClosed, before + 1, 5000));
  }

  @Test
  @DisplayName("a WebSocket session silent for three idle timeouts stays open and keeps working")
  void webSocketNotCut() {
    double before = idleClosed();
    WsClient alice = WsClient.join(NODES.client(), node().port(), node().token("alice", TestNode.unique("idle")));
    try {
      sleep(3 * IDLE_MILLIS);
      assertFalse(alice.isClosed(), "an established session must not be cut by the HTTP idle timeout");
      alice.send(new JsonObject().put("type", "ping"));
      alice.expect("pong");
      assertEquals(before, idleClosed());
    } finally {
      alice.close();
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
