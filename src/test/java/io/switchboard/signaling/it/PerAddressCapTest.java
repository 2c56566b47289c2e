package io.switchboard.signaling.it;

import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.Http;
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
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each test uses its own loopback addresses (127/8 all reaches the node), so they never share a count. */
@DisplayName("Per-address connection cap: connections beyond it are closed at once; other addresses are served")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PerAddressCapTest {

  private static final int CAP = 5;
  private static final String OBSERVER = "127.0.0.9";
  private static final String REFUSED = "switchboard_http_connections_closed_total{reason=\"address_limit\"}";

  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single(new JsonObject().put("http", new JsonObject()
    .put("maxConnectionsPerAddress", CAP)
    .put("headerTimeoutSeconds", 60) // the held connections must outlive the test
    .put("exemptAddresses", new JsonArray())));

  private static TestNode node() {
    return NODES.node();
  }

  private static double metric(String series) {
    return Metrics.value(RawHttp.get(OBSERVER, node().port(), "/metrics").body(), series);
  }

  /** A keep-alive connection from {@code from} that has been served once, so the node has certainly counted it. */
  private static Socket servedConnection(String from) throws IOException {
    Socket socket = RawHttp.connect(from, node().port());
    RawHttp.send(socket, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertEquals(200, RawHttp.readResponse(socket.getInputStream()).status());
    return socket;
  }

  @Test
  @DisplayName("plain HTTP: the connection over the cap is closed without an answer; another address is served; "
    + "a closed connection frees its slot")
  void plainConnections() throws IOException {
    String capped = "127.0.0.11";
    double refusedBefore = metric(REFUSED);
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < CAP; i++) {
        held.add(servedConnection(capped));
      }
      String gauges = RawHttp.get(OBSERVER, node().port(), "/metrics").body();
      assertTrue(Metrics.value(gauges, "switchboard_http_connections") >= CAP + 1, gauges);
      assertTrue(Metrics.value(gauges, "switchboard_http_tracked_addresses") >= 2, "the capped address and ours");
      try (Socket over = RawHttp.connect(capped, node().port())) {
        long start = System.nanoTime();
        assertTrue(RawHttp.awaitClosedByServer(over, 5000), "the connection over the cap must be closed");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 2000, "closed at once, not after a timeout: " + millis + " ms");
      }
      assertEquals(200, RawHttp.get("127.0.0.12", node().port(), "/health").status());
      assertEquals(refusedBefore + 1, metric(REFUSED));

      held.remove(0).close();
      assertEquals(200, awaitServed(capped).status(), "a slot is free again once a connection has closed");
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  @Test
  @DisplayName("WebSocket sessions hold a slot while open and give it back when they close")
  void webSockets() throws IOException {
    String capped = "127.0.0.13";
    String room = TestNode.unique("cap");
    List<RawWebSocket> sessions = new ArrayList<>();
    try {
      for (int i = 0; i < CAP; i++) {
        sessions.add(RawWebSocket.join(capped, node().port(), node().token("user" + i, room)));
      }
      try (Socket over = RawHttp.connect(capped, node().port())) {
        assertTrue(RawHttp.awaitClosedByServer(over, 5000), "a sixth connection must be closed");
      }
      sessions.remove(0).close();
      // the node notices the close asynchronously: retry until the slot is back
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      RawWebSocket again = null;
      while (again == null && System.nanoTime() < deadline) {
        try {
          again = RawWebSocket.join(capped, node().port(), node().token("late", room));
        } catch (IOException refused) {
          sleep(100);
        }
      }
      assertTrue(again != null, "the closed session's slot must be given back");
      sessions.add(again);
    } finally {
      for (RawWebSocket session : sessions) {
        session.close();
      }
    }
  }

  private static Http.Response awaitServed(String from) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket socket = RawHttp.connect(from, node().port())) {
        RawHttp.send(socket, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        return RawHttp.readResponse(socket.getInputStream());
      } catch (IOException refused) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("never served again from " + from, refused);
        }
        sleep(100);
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
