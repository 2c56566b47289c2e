package io.switchboard.testing;

import io.vertx.core.json.JsonObject;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket bound to a chosen loopback address: Vert.x 5.1.1's WebSocket client
 * ignores {@code setLocalAddress} (its HTTP client config drops it), so tests that need several client
 * addresses upgrade by hand. Reads server frames only; enough to see {@code welcome} or a refusal.
 */
public final class RawWebSocket implements AutoCloseable {

  /** The server's answer to an upgrade: 101 with an open socket, or a refusal with its body. */
  public record Handshake(int status, String head, String body, RawWebSocket socket) {

    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final Socket socket;
  private final DataInputStream in;

  private RawWebSocket(Socket socket, InputStream in) {
    this.socket = socket;
    this.in = new DataInputStream(in);
  }

  /** Upgrades {@code /ws} with {@code token} from {@code localAddress}; a refused upgrade's socket is closed. */
  public static Handshake upgrade(String localAddress, int port, String token) throws IOException {
    Socket socket = RawHttp.connect(localAddress, port);
    try {
      byte[] nonce = new byte[16];
      ThreadLocalRandom.current().nextBytes(nonce);
      RawHttp.send(socket, "GET /ws?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
        + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n");
      RawHttp.Head head = RawHttp.readHead(socket.getInputStream());
      if (head.status() == 101) {
        return new Handshake(101, head.text(), "", new RawWebSocket(socket, socket.getInputStream()));
      }
      String body = RawHttp.readBody(socket.getInputStream(), head);
      socket.close();
      return new Handshake(head.status(), head.text(), body, null);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Upgrades and reads {@code welcome}; fails the test otherwise. */
  public static RawWebSocket join(String localAddress, int port, String token) throws IOException {
    Handshake handshake = upgrade(localAddress, port, token);
    if (handshake.status() != 101) {
      throw new AssertionError("upgrade refused: " + handshake.status() + " " + handshake.body());
    }
    JsonObject welcome = handshake.socket().nextText();
    if (!"welcome".equals(welcome.getString("type"))) {
      handshake.socket().close();
      throw new AssertionError("first frame must be welcome: " + welcome);
    }
    return handshake.socket();
  }

  /** One frame from the server: unfragmented and unmasked, as the server sends them. */
  public record Frame(int opcode, byte[] payload) {

    public static final int TEXT = 0x1;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
  }

  /** The next text message from the server; control frames skipped. */
  public JsonObject nextText() throws IOException {
    while (true) {
      Frame frame = nextFrame();
      if (frame.opcode() == Frame.TEXT) {
        return new JsonObject(new String(frame.payload(), StandardCharsets.UTF_8));
      }
      if (frame.opcode() == Frame.CLOSE) {
        throw new IOException("closed by the server");
      }
    }
  }

  /** The next frame of any kind, waiting at most {@code timeoutMillis} (SocketTimeoutException after that). */
  public Frame nextFrame(int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    return nextFrame();
  }

  private Frame nextFrame() throws IOException {
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

  /** Whether the server has closed the connection within {@code millis}. */
  public boolean awaitClosedByServer(long millis) throws IOException {
    return RawHttp.awaitClosedByServer(socket, millis);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
