package io.switchboard.signaling.it;

import io.switchboard.testing.RawWebSocket;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A WebSocket client that writes nothing after its handshake (no pong, no data frame, no close) but reads every
 * frame the server sends, so a test sees the pings it leaves unanswered and the close code it gets for that.
 * Vert.x's client answers pings by itself, and {@code SilentWsClient} never reads: neither can show a close code.
 */
final class MuteWebSocket implements AutoCloseable {

  /** The server's close frame, and how many pings came before it. */
  record Close(int code, String reason, int pings) {
  }

  private static final int READ_TIMEOUT_MS = 5000;

  private final RawWebSocket socket;
  private final JsonObject welcome;
  private int pings;

  private MuteWebSocket(RawWebSocket socket) throws IOException {
    this.socket = socket;
    this.welcome = nextText();
  }

  /** Upgrades with {@code token} in {@code access_token} and reads {@code welcome}. */
  static MuteWebSocket join(int port, String token) throws IOException {
    RawWebSocket.Handshake handshake = RawWebSocket.upgrade("127.0.0.1", port, token);
    if (handshake.status() != 101) {
      throw new AssertionError("upgrade refused: " + handshake.head());
    }
    try {
      MuteWebSocket mute = new MuteWebSocket(handshake.socket());
      if (!"welcome".equals(mute.welcome.getString("type"))) {
        throw new AssertionError("first frame must be welcome: " + mute.welcome);
      }
      return mute;
    } catch (IOException | RuntimeException | AssertionError e) {
      handshake.socket().close();
      throw e;
    }
  }

  JsonObject welcome() {
    return welcome;
  }

  /** Reads (and ignores) frames until the server's close frame, which must come within {@code timeout}. */
  Close awaitClose(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      RawWebSocket.Frame frame;
      try {
        frame = socket.nextFrame((int) Math.min(Integer.MAX_VALUE, left));
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no close frame within " + timeout + " (" + pings + " pings seen)", e);
      }
      if (frame.opcode() == RawWebSocket.Frame.PING) {
        pings++; // deliberately unanswered
      } else if (frame.opcode() == RawWebSocket.Frame.CLOSE) {
        return closeOf(frame.payload());
      }
    }
  }

  private Close closeOf(byte[] payload) {
    if (payload.length < 2) {
      return new Close(-1, "", pings);
    }
    int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    return new Close(code, new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8), pings);
  }

  private JsonObject nextText() throws IOException {
    while (true) {
      RawWebSocket.Frame frame = socket.nextFrame(READ_TIMEOUT_MS);
      if (frame.opcode() == RawWebSocket.Frame.TEXT) {
        return new JsonObject(new String(frame.payload(), StandardCharsets.UTF_8));
      }
      if (frame.opcode() == RawWebSocket.Frame.PING) {
        pings++;
      } else if (frame.opcode() == RawWebSocket.Frame.CLOSE) {
        throw new AssertionError("closed before welcome: " + closeOf(frame.payload()));
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
