package io.switchboard.oneport;

import io.switchboard.config.ConfigException;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.CoturnTools;
import io.switchboard.testing.LogCapture;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.StreamStunClient;
import io.switchboard.testing.StunClient;
import io.switchboard.testing.TestCertificates;
import io.switchboard.testing.TestPorts;
import io.switchboard.testing.TlsFiles;
import io.switchboard.testing.TlsProbe;
import io.switchboard.testing.WsClient;
import io.switchboard.tls.PemMaterial;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One TLS port for HTTPS, wss and TURN over TLS ({@code onePort}), on a real node: each kind of client gets what it
 * came for on the same port, the HTTP server sees the browser's own address, the certificate is renewed under open
 * sessions of both kinds, and connections that never say anything are closed without disturbing the others.
 */
@DisplayName("one port: HTTPS, wss and TURN over TLS on a single listener")
class OnePortTest {

  private static final int CHANNEL = 0x4001;
  private static final int TIMEOUT_SECONDS = 1;
  /** How late after the timeout the node may close a silent client on a loaded 2-core machine. */
  private static final int LATE_SECONDS = 4;
  private static final Duration RELOAD_DEADLINE = Duration.ofSeconds(15);
  private static final TestCertificates WEB = TestCertificates.newAuthority("oneport");

  private static Vertx vertx;
  private static WebSocketClient wss;

  @TempDir
  Path served;
  private RelayTestNode node;
  private int port;
  private DatagramSocket peer;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void startClient() {
    vertx = Vertx.vertx();
    wss = WsClient.newTlsClient(vertx, WEB.member("localhost").ca());
  }

  @AfterAll
  static void stopClient() {
    vertx.close().await();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
    if (peer != null) {
      peer.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  @DisplayName("HTTPS sees the browser's address, wss joins with turns: on this port listed, TURN/TLS relays")
  void everyKindOfClientOnOnePort() throws Exception {
    start(WEB.member("localhost"), new JsonObject());
    try (LogCapture logs = LogCapture.install()) {
      int clientPort = getHealth();
      assertTrue(awaitLine(logs, "GET /health 200").contains("127.0.0.1:" + clientPort),
        "the access log names the client's own address, from the PROXY header: " + logs.lines());
    }
    WsClient alice = join("alice");
    assertTrue(alice.welcome().getJsonArray("iceServers").encode()
      .contains("turns:127.0.0.1:" + port + "?transport=tcp"), alice.welcome().encode());

    StreamStunClient turn = turnClient();
    InetSocketAddress relayed = allocateAndBind(turn);
    assertTrue(get("/metrics").contains("switchboard_turn_stream_connections{transport=\"tls\"} 1.0"),
      "the one port's TURN connection counts as TLS");
    relays(turn, relayed);
    alice.expectPongNext();

    try (StreamStunClient alpn = StreamStunClient.tls(port, "stun.turn")
      .credentials(RelayTestNode.STATIC_USER, RelayTestNode.STATIC_PASSWORD)) {
      assertEquals("stun.turn", alpn.applicationProtocol(), "TURN's ALPN id is selected when offered");
      assertEquals(0, alpn.request(Method.ALLOCATE, udpTransport()).errorCode(), "and TURN is spoken");
    }
  }

  @Test
  @DisplayName("renewed files: new connections see the new certificate; an open wss session and allocation stay up")
  void renewalUnderOpenSessions() throws Exception {
    TestCertificates.Member first = WEB.member("localhost");
    TestCertificates.Member renewed = WEB.member("localhost-renewed");
    start(first, new JsonObject().put("tls", new JsonObject().put("reloadSeconds", 1)));
    WsClient alice = join("alice");
    WsClient bob = join("bob");
    assertEquals("peer-joined", alice.next().getString("type"));
    StreamStunClient turn = turnClient();
    InetSocketAddress relayed = allocateAndBind(turn);
    assertEquals(TlsFiles.fingerprint(first), PemMaterial.fingerprint(turn.peerCertificate()));

    TlsFiles.replace(served.resolve("cert.pem"), renewed.cert());
    TlsFiles.replace(served.resolve("key.pem"), renewed.key());

    String renewedSha = TlsFiles.fingerprint(renewed);
    assertEquals(renewedSha, TlsProbe.awaitFingerprint(port, first.ca(), renewedSha::equals, RELOAD_DEADLINE),
      "a new connection to the one port sees the renewed certificate");
    try (StreamStunClient later = StreamStunClient.tls(port)) {
      assertEquals(TlsFiles.fingerprint(renewed), PemMaterial.fingerprint(later.peerCertificate()));
    }
    relays(turn, relayed);
    exchange(alice, bob);
    exchange(bob, alice);
  }

  @Test
  @DisplayName("silent clients, a stalled ClientHello and a handshake with no bytes after it are closed; others stay")
  void silentConnectionsAreClosed() throws Exception {
    start(WEB.member("localhost"), new JsonObject().put("headerTimeoutSeconds", TIMEOUT_SECONDS));
    WsClient alice = join("alice");
    WsClient bob = join("bob");
    assertEquals("peer-joined", alice.next().getString("type"));
    StreamStunClient turn = turnClient();
    InetSocketAddress relayed = allocateAndBind(turn);

    try (Socket silent = connect(); Socket halfHello = connect();
         SSLSocket mute = (SSLSocket) TlsProbe.trusting(WEB.member("localhost").ca()).getSocketFactory()
           .createSocket(InetAddress.getLoopbackAddress(), port)) {
      halfHello.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01});
      halfHello.getOutputStream().flush();
      mute.setSoTimeout((TIMEOUT_SECONDS + LATE_SECONDS) * 1000);
      mute.startHandshake(); // then says nothing: neither HTTP nor TURN
      TlsFiles.assertClosedByServer(silent, "a client that sends nothing");
      TlsFiles.assertClosedByServer(halfHello, "a client that stops inside its ClientHello");
      TlsFiles.assertClosedByServer(mute, "a client that completes the handshake and says nothing");
    }
    exchange(alice, bob);
    exchange(bob, alice);
    relays(turn, relayed);
  }

  @Test
  @DisplayName("coturn's turnutils_uclient -S -t through the one port: every message echoed by turnutils_peer")
  void coturnClientThroughTheOnePort() throws Exception {
    CoturnTools.requireInstalled("turnutils_uclient", "turnutils_peer");
    start(WEB.member("localhost"), new JsonObject());
    int peerPort = TestPorts.freeUdpBlock(2); // turnutils_peer binds the port and the next one
    Process echo = CoturnTools.peer("127.0.0.1", peerPort);
    open.add(() -> CoturnTools.stop(echo));
    String user = RelayTestNode.restUsername("uclient-one-port", 3600);
    CoturnTools.assertEchoes(List.of("turnutils_uclient", "-t", "-S", "-u", user, "-w",
      RelayTestNode.restPassword(user), "-e", "127.0.0.1", "-r", Integer.toString(peerPort), "-m", "2", "-n", "20",
      "-l", "100", "-z", "5", "-p", Integer.toString(port), "127.0.0.1"), 40, node::metric);
  }

  @Test
  @DisplayName("onePort needs http.tls for its certificate and the relay for its TURN side")
  void refusedWithoutItsParts() {
    TestCertificates.Member pair = WEB.member("localhost");
    JsonObject onePort = new JsonObject().put("onePort", new JsonObject().put("enabled", true));
    ConfigException noTls = assertThrows(ConfigException.class, () -> config(onePort.copy()));
    assertTrue(noTls.getMessage().contains("onePort.enabled needs http.tls.cert and http.tls.key"),
      noTls.getMessage());
    JsonObject noRelay = onePort.copy().put("relay", new JsonObject().put("enabled", false))
      .put("http", new JsonObject().put("tls", new JsonObject().put("cert", pair.cert().toString())
        .put("key", pair.key().toString())));
    ConfigException refused = assertThrows(ConfigException.class, () -> config(noRelay));
    assertTrue(refused.getMessage().contains("onePort.enabled needs relay.enabled"), refused.getMessage());
  }

  // ---- steps ----

  /** A relay node serving copies of {@code pair} (so a test can replace them) on the one port. */
  private void start(TestCertificates.Member pair, JsonObject http) throws IOException {
    Path cert = served.resolve("cert.pem");
    Path key = served.resolve("key.pem");
    Files.copy(pair.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(pair.key(), key, StandardCopyOption.REPLACE_EXISTING);
    port = TestPorts.freePort();
    node = RelayTestNode.startWithOnePort(new JsonObject(), new TestCertificates.Member(cert, key, pair.ca()), port,
      http);
    peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    peer.setSoTimeout(3000);
  }

  private static SwitchboardConfig config(JsonObject overrides) {
    JsonObject json = ConfigLoader.builtInDefault();
    json.getJsonObject("auth").put("devTokens", true);
    return SwitchboardConfig.from(json.mergeIn(overrides, true));
  }

  /** GET /health over TLS on the one port; returns the client's local port. */
  private int getHealth() throws IOException {
    int[] localPort = new int[1];
    get("/health", localPort);
    return localPort[0];
  }

  private String get(String path) throws IOException {
    return get(path, new int[1]);
  }

  /** GET {@code path} over TLS on the one port: the response; the client's local port in {@code localPort[0]}. */
  private String get(String path, int[] localPort) throws IOException {
    try (SSLSocket socket = (SSLSocket) TlsProbe.trusting(WEB.member("localhost").ca()).getSocketFactory()
      .createSocket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5000);
      localPort[0] = socket.getLocalPort();
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      return response;
    }
  }

  private WsClient join(String identity) {
    WsClient session = WsClient.join(wss, port, node.node().token(identity, "one-port"));
    open.add(session::close);
    return session;
  }

  private StreamStunClient turnClient() {
    StreamStunClient client = StreamStunClient.tls(port)
      .credentials(RelayTestNode.STATIC_USER, RelayTestNode.STATIC_PASSWORD);
    open.add(client);
    return client;
  }

  private static java.util.function.Consumer<io.switchboard.relay.proto.MessageWriter> udpTransport() {
    return w -> RequestedTransport.write(w, RequestedTransport.UDP);
  }

  private InetSocketAddress allocateAndBind(StreamStunClient client) {
    StunClient.Response allocated = client.request(Method.ALLOCATE, udpTransport());
    assertEquals(0, allocated.errorCode(), "Allocate over TLS on the one port");
    assertEquals(0, client.request(Method.CHANNEL_BIND, w -> {
      ChannelNumber.write(w, CHANNEL);
      XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, (InetSocketAddress) peer.getLocalSocketAddress());
    }).errorCode());
    return allocated.relayed();
  }

  /** ChannelData both ways between the client and the UDP peer. */
  private void relays(StreamStunClient client, InetSocketAddress relayed) throws IOException {
    byte[] out = ("to the peer at " + Instant.now()).getBytes(StandardCharsets.UTF_8);
    client.sendChannelData(CHANNEL, out);
    DatagramPacket received = new DatagramPacket(new byte[2048], 2048);
    peer.receive(received);
    assertArrayEquals(out, Arrays.copyOf(received.getData(), received.getLength()));
    assertEquals(relayed, received.getSocketAddress());
    byte[] back = "back to the client".getBytes(StandardCharsets.UTF_8);
    peer.send(new DatagramPacket(back, back.length, relayed));
    byte[] message = client.receive();
    assertArrayEquals(back, Arrays.copyOfRange(message, 4, message.length));
  }

  private static void exchange(WsClient from, WsClient to) {
    String data = "over the one port " + Instant.now();
    from.send(new JsonObject().put("type", "message").put("to", to.id()).put("data", data));
    JsonObject received = to.expect("message");
    assertEquals(from.id(), received.getString("from"));
    assertEquals(data, received.getString("data"));
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout((TIMEOUT_SECONDS + LATE_SECONDS) * 1000);
    return socket;
  }

  private static String awaitLine(LogCapture logs, String text) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      for (String line : logs.lines()) {
        if (line.contains(text)) {
          return line;
        }
      }
      assertTrue(System.nanoTime() < deadline, "no log line with '" + text + "': " + logs.lines());
      Thread.sleep(50);
    }
  }

}
