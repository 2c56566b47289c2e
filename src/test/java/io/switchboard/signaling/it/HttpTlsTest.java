package io.switchboard.signaling.it;

import io.switchboard.testing.LogCapture;
import io.switchboard.testing.TestCertificates;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TlsFiles;
import io.switchboard.testing.TlsProbe;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP port over TLS ({@code http.tls}), on real nodes with certificates of a throwaway CA: wss sessions, the
 * versions offered, renewal of the files while sessions stay open, a renewal caught half-written, and clients that
 * never finish their handshake.
 */
@DisplayName("HTTPS and wss on the HTTP port (http.tls)")
class HttpTlsTest {

  /** How long a renewal may take to be served with reloadSeconds=1: a poll, a read on a worker, an update. */
  private static final Duration RELOAD_DEADLINE = Duration.ofSeconds(15);
  private static final int HANDSHAKE_TIMEOUT_SECONDS = 1;
  /** How late after the handshake timeout the server may close a silent client on a loaded 2-core machine. */
  private static final int LATE_SECONDS = 4;

  private static final TestCertificates WEB = TestCertificates.newAuthority("web");
  private static Vertx vertx;
  private static WebSocketClient client;

  @TempDir
  Path served;
  private TestNode node;
  private final List<WsClient> sessions = new ArrayList<>();

  @BeforeAll
  static void startClient() {
    vertx = Vertx.vertx();
    client = WsClient.newTlsClient(vertx, WEB.member("localhost").ca());
  }

  @AfterAll
  static void stopClient() {
    vertx.close().await();
  }

  @AfterEach
  void stopNode() throws Exception {
    sessions.forEach(WsClient::close);
    if (node != null) {
      node.close();
    }
  }

  @Test
  @DisplayName("a wss session joins, gets welcome and exchanges frames with another; /health names the certificate")
  void wssSession() throws Exception {
    TestCertificates.Member pair = WEB.member("localhost");
    startNode(pair, 10, new JsonObject());
    String room = TestNode.unique("tls");

    WsClient alice = join("alice", room);
    WsClient bob = join("bob", room);

    assertEquals("peer-joined", alice.next().getString("type"));
    exchange(alice, bob);
    JsonObject tls = health().getJsonObject("tls");
    assertEquals(true, tls.getBoolean("enabled"), tls.encode());
    assertEquals(TlsFiles.fingerprint(pair), tls.getString("sha256"), tls.encode());
    assertEquals("CN=localhost", tls.getString("subject"), tls.encode());
  }

  @Test
  @DisplayName("TLS 1.2 and 1.3 handshakes succeed; plain HTTP on the port gets no answer")
  void modernVersionsOnly() throws Exception {
    startNode(WEB.member("localhost"), 10, new JsonObject());
    Path ca = WEB.member("localhost").ca();

    assertEquals("TLSv1.3", TlsProbe.handshake(node.port(), ca, "TLSv1.3").protocol());
    assertEquals("TLSv1.2", TlsProbe.handshake(node.port(), ca, "TLSv1.2").protocol());
    // TLS 1.0 and 1.1 are refused in HttpTlsProtocolsIT: this JVM's JDK will not even offer them
    assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(
      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/health")).build(),
      HttpResponse.BodyHandlers.ofString()), "plain HTTP must not be served on a TLS port");
  }

  @Test
  @DisplayName("renewed files: new connections get the new certificate on every instance, open sessions stay up")
  void reloadKeepsOpenSessions() throws Exception {
    TestCertificates.Member first = WEB.member("localhost");
    TestCertificates.Member renewed = WEB.member("localhost-renewed");
    // several edge instances share the port: all must serve the renewal
    startNode(first, 1, new JsonObject().put("edgeInstances", 3));
    String room = TestNode.unique("reload");
    WsClient alice = join("alice", room);
    WsClient bob = join("bob", room);
    assertEquals("peer-joined", alice.next().getString("type"));

    try (LogCapture logs = LogCapture.install()) {
      TlsFiles.replace(served.resolve("cert.pem"), renewed.cert());
      TlsFiles.replace(served.resolve("key.pem"), renewed.key());

      String seen = TlsProbe.awaitFingerprint(node.port(), first.ca(), TlsFiles.fingerprint(renewed)::equals,
        RELOAD_DEADLINE);
      assertEquals(TlsFiles.fingerprint(renewed), seen, "a new connection must see the renewed certificate");
      for (int i = 0; i < 6; i++) {
        assertEquals(TlsFiles.fingerprint(renewed), TlsProbe.handshake(node.port(), first.ca()).fingerprint(),
          "connection " + i + " after the reload");
      }
      exchange(alice, bob);
      exchange(bob, alice);
      assertEquals(TlsFiles.fingerprint(renewed), health().getJsonObject("tls").getString("sha256"));
      List<String> reloaded = logs.lines().stream().filter(line -> line.contains("http.tls: reloaded")).toList();
      assertEquals(1, reloaded.size(), "one INFO line per reload: " + reloaded);
      assertTrue(reloaded.get(0).contains("INFO"), reloaded.get(0));
      assertTrue(logs.lines().stream().noneMatch(line -> line.contains("PRIVATE KEY"))
        && logs.jsonLines().stream().noneMatch(line -> line.contains("PRIVATE KEY")), "no key material in logs");
    }
  }

  @Test
  @DisplayName("a half-written renewal (new certificate, old key) keeps the old pair and warns once; the key ends it")
  void halfWrittenRenewal() throws Exception {
    TestCertificates.Member first = WEB.member("localhost");
    TestCertificates.Member renewed = WEB.member("localhost-half");
    startNode(first, 1, new JsonObject());
    String room = TestNode.unique("half");
    WsClient alice = join("alice", room);

    try (LogCapture logs = LogCapture.install()) {
      TlsFiles.replace(served.resolve("cert.pem"), renewed.cert());
      awaitLine(logs, "http.tls: the files changed but cannot be served");
      // three more polls of the same half-written pair
      Thread.sleep(3000);
      assertEquals(TlsFiles.fingerprint(first), TlsProbe.handshake(node.port(), first.ca()).fingerprint(),
        "the old pair stays in service");
      assertEquals(1, logs.lines().stream().filter(line -> line.contains("cannot be served")).count(),
        "warned once: " + logs.lines());
      assertTrue(logs.lines().stream().filter(line -> line.contains("cannot be served")).allMatch(
        line -> line.contains("WARNING")));

      TlsFiles.replace(served.resolve("key.pem"), renewed.key());
      assertEquals(TlsFiles.fingerprint(renewed), TlsProbe.awaitFingerprint(node.port(), first.ca(),
        TlsFiles.fingerprint(renewed)::equals, RELOAD_DEADLINE), "the completed pair is served");
      alice.expectPongNext();
    }
  }

  @Test
  @DisplayName("clients that never start or never finish the handshake are closed after the timeout; a session stays")
  void stalledHandshakesAreClosed() throws Exception {
    TestCertificates.Member pair = WEB.member("localhost");
    startNode(pair, 10, new JsonObject().put("headerTimeoutSeconds", HANDSHAKE_TIMEOUT_SECONDS));
    String room = TestNode.unique("stall");
    WsClient alice = join("alice", room);
    WsClient bob = join("bob", room);
    assertEquals("peer-joined", alice.next().getString("type"));

    try (Socket silent = connect(); Socket halfHello = connect()) {
      // a TLS handshake record header announcing 512 bytes, then 3 of them
      halfHello.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01});
      halfHello.getOutputStream().flush();
      TlsFiles.assertClosedByServer(silent, "a client that sends nothing");
      TlsFiles.assertClosedByServer(halfHello, "a client that stops inside its ClientHello");
    }
    // the sessions were not disturbed, and a complete handshake still works
    exchange(alice, bob);
    exchange(bob, alice);
    assertEquals(TlsFiles.fingerprint(pair), TlsProbe.handshake(node.port(), pair.ca()).fingerprint());
  }

  @Test
  @DisplayName("a certificate with less than 14 days left starts the node with a warning; one with more does not")
  void expiryWarning() throws Exception {
    try (LogCapture logs = LogCapture.install()) {
      startNode(WEB.member("localhost"), 0, new JsonObject());
      node.close();
      node = null;
      assertTrue(logs.lines().stream().noneMatch(line -> line.contains("renew it")), logs.lines().toString());

      startNode(WEB.member("localhost-ending", 5), 0, new JsonObject());
      List<String> warnings = logs.lines().stream().filter(line -> line.contains("renew it")).toList();
      assertEquals(1, warnings.size(), logs.lines().toString());
      assertTrue(warnings.get(0).contains("WARNING")
        && warnings.get(0).contains("http.tls.cert (CN=localhost-ending) expires on"), warnings.get(0));
    }
  }

  // ---- helpers ----

  /** Serves copies of {@code pair}'s files, so a test can replace them under the node. */
  private void startNode(TestCertificates.Member pair, int reloadSeconds, JsonObject http) throws IOException {
    Path cert = served.resolve("cert.pem");
    Path key = served.resolve("key.pem");
    Files.copy(pair.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(pair.key(), key, StandardCopyOption.REPLACE_EXISTING);
    node = TestNode.start(new JsonObject().put("http", http.copy().put("tls", new JsonObject()
      .put("cert", cert.toString()).put("key", key.toString()).put("reloadSeconds", reloadSeconds))));
  }

  private WsClient join(String identity, String room) {
    WsClient session = WsClient.join(client, node.port(), node.token(identity, room));
    sessions.add(session);
    return session;
  }

  /** {@code from} sends a message to {@code to}, which must receive it next. */
  private static void exchange(WsClient from, WsClient to) {
    String data = "over TLS " + Instant.now();
    from.send(new JsonObject().put("type", "message").put("to", to.id()).put("data", data));
    JsonObject received = to.expect("message");
    assertEquals(from.id(), received.getString("from"));
    assertEquals(data, received.getString("data"));
  }

  private JsonObject health() throws IOException {
    SSLContext context = TlsProbe.trusting(WEB.member("localhost").ca());
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory()
      .createSocket(InetAddress.getLoopbackAddress(), node.port())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes());
      out.flush();
      String response = new String(socket.getInputStream().readAllBytes());
      return new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.port());
    socket.setSoTimeout((HANDSHAKE_TIMEOUT_SECONDS + LATE_SECONDS) * 1000);
    return socket;
  }

  private static void awaitLine(LogCapture logs, String text) throws InterruptedException {
    long deadline = System.nanoTime() + RELOAD_DEADLINE.toNanos();
    while (logs.lines().stream().noneMatch(line -> line.contains(text))) {
      assertTrue(System.nanoTime() < deadline, "no log line with '" + text + "' within " + RELOAD_DEADLINE
        + ": " + logs.lines());
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }
}
