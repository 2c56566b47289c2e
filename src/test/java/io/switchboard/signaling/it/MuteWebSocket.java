package io.switchboard.signaling.it;

import io.switchboard.testing.RawHttp;
import io.vertx.core.json.JsonObject;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client that writes nothing after its handshake (no pong, no data frame, no close) but reads every
 * frame the server sends, so a test sees the pings it leaves unanswered and the close code it gets for that.
 * Vert.x's client answers pings by itself, and {@code SilentWsClient} never reads: neither can show a close code.
 */
final class MuteWebSocket implements AutoCloseable {

  /** The server's close frame, and how many pings came before it. */
  record Close(int code, String reason, int pings) {
  }

  private static final int OPCODE_TEXT = 0x1;
  private static final int OPCODE_CLOSE = 0x8;
  private static final int OPCODE_PING = 0x9;

  private final Socket socket;
  private final DataInputStream in;
  private final JsonObject welcome;
  private int pings;

  private MuteWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.welcome = nextText();
  }

  /** Upgrades with {@code token} in {@code access_token} and reads {@code welcome}. */
  static MuteWebSocket join(int port, String token) throws IOException {
    Socket socket = RawHttp.connect("127.0.0.1", port);
    try {
      byte[] nonce = new byte[16];
      ThreadLocalRandom.current().nextBytes(nonce);
      RawHttp.send(socket, "GET /ws?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
        + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n");
      RawHttp.Head head = RawHttp.readHead(socket.getInputStream());
      if (head.status() != 101) {
        throw new AssertionError("upgrade refused: " + head.text());
      }
      MuteWebSocket mute = new MuteWebSocket(socket);
      if (!"welcome".equals(mute.welcome.getString("type"))) {
        throw new AssertionError("first frame must be welcome: " + mute.welcome);
      }
      return mute;
    } catch (IOException | RuntimeException | AssertionError e) {
      socket.close();
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
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
      Frame frame;
      try {
        frame = readFrame();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no close frame within " + timeout + " (" + pings + " pings seen)", e);
      }
      if (frame.opcode() == OPCODE_PING) {
        pings++; // deliberately unanswered
      } else if (frame.opcode() == OPCODE_CLOSE) {
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
      Frame frame = readFrame();
      if (frame.opcode() == OPCODE_TEXT) {
        return new JsonObject(new String(frame.payload(), StandardCharsets.UTF_8));
      }
      if (frame.opcode() == OPCODE_PING) {
        pings++;
      } else if (frame.opcode() == OPCODE_CLOSE) {
        throw new AssertionError("closed before welcome: " + closeOf(frame.payload()));
      }
    }
  }

  private record Frame(int opcode, byte[] payload) {
  }

  /** One unfragmented, unmasked frame, as the server sends them. */
  private Frame readFrame() throws IOException {
    int first = in.readUnsignedByte();
    int second = in.readUnsignedByte();
    long length = second & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame(first & 0x0f, payload);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
