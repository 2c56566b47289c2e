package io.switchboard;

import io.switchboard.testing.Http;
import io.switchboard.testing.RawWebSocket;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestPorts;
import io.switchboard.testing.TestTokens;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose console nobody reads (a log shipper that stalled: the pipe's 64 KB fill up and every write to it
 * blocks) keeps serving. With JUL's console handler each join's lines were written on the event loop, which then
 * blocked in {@code write} for good; with {@link AsyncLogHandler} only the log writer thread waits, and once the
 * console is read again every line arrives.
 */
@DisplayName("a stalled console never stops the event loops; its lines arrive once it is read again")
class StalledConsoleIT {

  /** Each join writes an access line and a join line (~300 bytes): several times the pipe's 64 KB. */
  private static final int JOINS = 600;

  @Test
  @DisplayName("600 joins while nobody reads the node's output, then every join line once it is read")
  void stalledConsole() throws Exception {
    String jar = System.getProperty("switchboard.jar", "target/switchboard.jar");
    int port = TestPorts.freePort();
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-jar", jar).redirectErrorStream(true); // a pipe this test leaves unread until the end
    builder.environment().put("SWITCHBOARD_NODE_ID", "stalled-console");
    builder.environment().put("SWITCHBOARD_HTTP_PORT", Integer.toString(port));
    builder.environment().put("SWITCHBOARD_AUTH_HS256_SECRETS", TestNode.JWT_KEY);
    builder.environment().put("SWITCHBOARD_RELAY_ENABLED", "false");
    // one address opens all the sessions, faster than a browser would
    builder.environment().put("SWITCHBOARD_HTTP_UPGRADES_PER_SECOND_PER_ADDRESS", "100000");
    builder.environment().put("SWITCHBOARD_HTTP_UPGRADE_BURST_PER_ADDRESS", "100000");
    Process node = builder.start();
    try {
      awaitHealthy(port);
      String room = TestNode.unique("stalled");
      for (int i = 0; i < JOINS; i++) {
        // a blocked event loop would leave the upgrade or the welcome unanswered: RawWebSocket's read times out
        try (RawWebSocket socket = RawWebSocket.join("127.0.0.1", port, TestTokens.participant("user-" + i,
          room + "-" + i % 50, null))) {
          assertTrue(socket != null);
        }
      }
      assertEquals(200, Http.get(port, "/health", null).status(), "the node still answers");

      String output = readFor(node.getInputStream(), Duration.ofSeconds(20), JOINS);
      assertEquals(JOINS, count(output, " joined room "), "every join line reached the console");
      assertTrue(!output.contains("log records dropped"), "nothing was dropped: the queue holds far more");
    } finally {
      node.destroy();
      node.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static void awaitHealthy(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        if (Http.get(port, "/health", null).status() == 200) {
          return;
        }
      } catch (AssertionError notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the node did not become healthy within 60 s");
  }

  /** What the node wrote, read until {@code joins} join lines arrived or {@code timeout} passed. */
  private static String readFor(InputStream in, Duration timeout, int joins) throws IOException,
      InterruptedException {
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] chunk = new byte[65_536];
    while (System.nanoTime() < deadline) {
      int available = in.available();
      if (available > 0) {
        read.write(chunk, 0, in.read(chunk, 0, Math.min(available, chunk.length)));
      } else if (count(read.toString(StandardCharsets.UTF_8), " joined room ") >= joins) {
        break;
      } else {
        Thread.sleep(20);
      }
    }
    return read.toString(StandardCharsets.UTF_8);
  }

  private static int count(String text, String needle) {
    int count = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      count++;
    }
    return count;
  }
}
