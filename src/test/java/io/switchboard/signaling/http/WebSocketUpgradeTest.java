package io.switchboard.signaling.http;

import io.switchboard.testing.RawHttp;
import io.switchboard.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The handshake on Netty's handshaker, as a browser or an odd client sends it, on plain sockets so that every header
 * is ours: what the server negotiates and how it refuses what it cannot accept.
 */
@DisplayName("WebSocket upgrade on Netty's handshaker")
class WebSocketUpgradeTest {

  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  @DisplayName("a browser's compression offer is declined: no extension in the 101, the welcome comes uncompressed")
  void compressionDeclined() throws IOException {
    try (Socket socket = RawHttp.connect("127.0.0.1", node.port())) {
      RawHttp.send(socket, request(TestNode.unique("upgrade"), "Sec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: " + KEY + "\r\n"
        + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"));
      InputStream in = socket.getInputStream();
      RawHttp.Head head = RawHttp.readHead(in);
      assertEquals(101, head.status(), head.text());
      assertNull(head.header("Sec-WebSocket-Extensions"), head.text());
      // RFC 6455's sample key and its answer
      assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head.header("Sec-WebSocket-Accept"));
      assertEquals(0x81, in.read(), "FIN and text, RSV1 (compressed) clear");
    }
  }

  @Test
  @DisplayName("a WebSocket version the server does not speak gets 426 naming version 13")
  void unknownVersion() throws IOException {
    try (Socket socket = RawHttp.connect("127.0.0.1", node.port())) {
      RawHttp.send(socket, request(TestNode.unique("upgrade"), "Sec-WebSocket-Version: 99\r\n"
        + "Sec-WebSocket-Key: " + KEY + "\r\n"));
      RawHttp.Head head = RawHttp.readHead(socket.getInputStream());
      assertEquals(426, head.status(), head.text());
      assertEquals("13", head.header("Sec-WebSocket-Version"));
    }
  }

  @Test
  @DisplayName("an upgrade without Sec-WebSocket-Key gets the API's JSON 400")
  void missingKey() throws IOException {
    try (Socket socket = RawHttp.connect("127.0.0.1", node.port())) {
      RawHttp.send(socket, request(TestNode.unique("upgrade"), "Sec-WebSocket-Version: 13\r\n"));
      InputStream in = socket.getInputStream();
      RawHttp.Head head = RawHttp.readHead(in);
      assertEquals(400, head.status(), head.text());
      JsonObject body = new JsonObject(RawHttp.readBody(in, head));
      assertEquals("bad-request", body.getString("error"));
    }
  }

  private static String request(String room, String webSocketHeaders) {
    return "GET /ws?access_token=" + URLEncoder.encode(node.token("alice", room), StandardCharsets.UTF_8)
      + " HTTP/1.1\r\nHost: 127.0.0.1:" + node.port() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + webSocketHeaders + "\r\n";
  }
}
