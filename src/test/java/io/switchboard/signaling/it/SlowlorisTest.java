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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slowloris: thousands of connections from one address that never finish a request head. The test JVM holds
 * both ends of each (2 descriptors per connection, well under the 20,000 limit here). The legitimate client
 * upgrades by hand ({@link RawWebSocket}) because Vert.x's WebSocket client cannot bind to 127.0.0.2.
 */
@DisplayName("Slowloris: half-open requests are closed after the header timeout; other clients are served meanwhile")
class SlowlorisTest {

  private static final int HALF_OPEN = 5000;
  private static final int HEADER_TIMEOUT_SECONDS = 4;
  private static final long HEADER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(HEADER_TIMEOUT_SECONDS);
  /** How late after its timeout the server may close a connection on a loaded 2-core machine. */
  private static final long LATE_NANOS = TimeUnit.SECONDS.toNanos(4);
  private static final String FLOOD_FROM = "127.0.0.1";
  private static final String CLIENT_FROM = "127.0.0.2";
  private static final String CLOSED = "switchboard_http_connections_closed_total{reason=\"header_timeout\"}";

  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single(new JsonObject().put("http", new JsonObject()
    .put("headerTimeoutSeconds", HEADER_TIMEOUT_SECONDS)
    .put("maxConnectionsPerAddress", 0) // the header timeout alone must clear them
    .put("exemptAddresses", new JsonArray())));

  private static TestNode node() {
    return NODES.node();
  }

  private static double closedByHeaderTimeout() {
    return Metrics.value(RawHttp.get(CLIENT_FROM, node().port(), "/metrics").body(), CLOSED);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("5,000 half-open connections: /health and a join from another address work while they are held, "
    + "and each is closed by the server after the header timeout")
  void halfOpenFlood() throws Exception {
    String room = TestNode.unique("slowloris");
    // class loading, not the flood
    RawWebSocket.join(CLIENT_FROM, node().port(), node().token("warm-up", room)).close();
    double closedBefore = closedByHeaderTimeout();

    List<SocketChannel> flood = new ArrayList<>(HALF_OPEN);
    long[] openedAt = new long[HALF_OPEN];
    long[] closedAt = new long[HALF_OPEN];
    try (Selector selector = Selector.open()) {
      InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), node().port());
      for (int i = 0; i < HALF_OPEN; i++) {
        SocketChannel channel = SocketChannel.open();
        flood.add(channel);
        channel.bind(new InetSocketAddress(FLOOD_FROM, 0));
        channel.connect(server);
        channel.write(ByteBuffer.wrap(partialRequest(i)));
        openedAt[i] = System.nanoTime();
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ, i);
      }
      long floodOpen = System.nanoTime();

      // while they are held: another address is served, and joins a room within a second
      assertEquals(200, RawHttp.get(CLIENT_FROM, node().port(), "/health").status());
      long joinStart = System.nanoTime();
      RawWebSocket alice = RawWebSocket.join(CLIENT_FROM, node().port(), node().token("alice", room));
      long joinMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - joinStart);
      alice.close();
      assertTrue(joinMillis <= 1000, "join took " + joinMillis + " ms during the flood");
      long served = System.nanoTime();
      assertTrue(served - openedAt[0] < HEADER_TIMEOUT_NANOS, "the flood must still be held while the client is "
        + "served: opening took " + TimeUnit.NANOSECONDS.toMillis(floodOpen - openedAt[0]) + " ms");
      assertEquals(0, selector.selectNow(), "no half-open connection may be closed before its header timeout");

      int closed = awaitServerCloses(selector, closedAt, openedAt[HALF_OPEN - 1] + HEADER_TIMEOUT_NANOS + LATE_NANOS);
      assertEquals(HALF_OPEN, closed, "half-open connections closed by the server");
    } finally {
      for (SocketChannel channel : flood) {
        channel.close();
      }
    }
    long earliest = Long.MAX_VALUE;
    long latest = 0;
    for (int i = 0; i < HALF_OPEN; i++) {
      long held = closedAt[i] - openedAt[i];
      earliest = Math.min(earliest, held);
      latest = Math.max(latest, held);
    }
    // the server's timer starts at accept, a few microseconds either side of openedAt
    assertTrue(earliest >= HEADER_TIMEOUT_NANOS - TimeUnit.MILLISECONDS.toNanos(50),
      "closed after " + TimeUnit.NANOSECONDS.toMillis(earliest) + " ms, before the header timeout");
    assertTrue(latest <= HEADER_TIMEOUT_NANOS + LATE_NANOS,
      "closed after " + TimeUnit.NANOSECONDS.toMillis(latest) + " ms");
    assertEquals(closedBefore + HALF_OPEN, Metrics.awaitValue(SlowlorisTest::closedByHeaderTimeout,
      closedBefore + HALF_OPEN, 5000));
  }

  /** Some send nothing at all, some stop inside the request line, some inside the headers. */
  private static byte[] partialRequest(int i) {
    String text = switch (i % 3) {
      case 0 -> "";
      case 1 -> "GET /hea";
      default -> "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    };
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** Records when each connection sees end of stream (or a reset); returns how many did before the deadline. */
  private static int awaitServerCloses(Selector selector, long[] closedAt, long deadline) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(4096);
    int closed = 0;
    while (closed < closedAt.length && System.nanoTime() < deadline) {
      selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      long now = System.nanoTime();
      for (SelectionKey key : selector.selectedKeys()) {
        SocketChannel channel = (SocketChannel) key.channel();
        int read;
        try {
          buffer.clear();
          read = channel.read(buffer);
        } catch (IOException reset) {
          read = -1;
        }
        if (read < 0) {
          closedAt[(Integer) key.attachment()] = now;
          key.cancel();
          closed++;
        }
      }
      selector.selectedKeys().clear();
    }
    return closed;
  }
}
