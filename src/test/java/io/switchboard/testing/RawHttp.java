package io.switchboard.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket bound to a chosen loopback address (Linux routes all of 127/8 to lo), so a
 * test can be several clients at once: the per-address limits see 127.0.0.2 as another client than 127.0.0.1.
 * Blocking; for the JUnit thread.
 */
public final class RawHttp {

  private RawHttp() {
  }

  /** A TCP connection from {@code localAddress} to the node on 127.0.0.1; sends nothing. */
  public static Socket connect(String localAddress, int port) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** {@code GET path} from {@code localAddress} on a new connection, closed after the answer. */
  public static Http.Response get(String localAddress, int port, String path) {
    try (Socket socket = connect(localAddress, port)) {
      send(socket, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n");
      return readResponse(socket.getInputStream());
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " from " + localAddress + " failed: " + e, e);
    }
  }

  public static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** A response's status line and headers, as received. */
  public record Head(int status, String text) {

    /** The value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      for (String line : text.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
          return line.substring(prefix.length()).trim();
        }
      }
      return null;
    }
  }

  /** Reads one response: the head, then {@code Content-Length} bytes of body (the connection stays usable). */
  public static Http.Response readResponse(InputStream in) throws IOException {
    Head head = readHead(in);
    return new Http.Response(head.status(), readBody(in, head));
  }

  public static String readBody(InputStream in, Head head) throws IOException {
    String length = head.header("Content-Length");
    byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Reads byte by byte up to the blank line, so nothing after the head (a first frame) is consumed. */
  public static Head readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before a complete response head");
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    return new Head(Integer.parseInt(text.substring(9, 12)), text);
  }

  /**
   * Waits up to {@code millis} for the server to close {@code socket} (end of stream or reset); true if it
   * did. Anything the server sends first is skipped.
   */
  public static boolean awaitClosedByServer(Socket socket, long millis) throws IOException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    byte[] buffer = new byte[4096];
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return false;
      }
      socket.setSoTimeout((int) Math.max(1, left));
      try {
        if (socket.getInputStream().read(buffer) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException reset) {
        return true;
      }
    }
  }
}
