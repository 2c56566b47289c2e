package io.switchboard.relay.it;

import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.StreamStunClient;
import io.switchboard.testing.StunClient;
import io.switchboard.testing.TestCertificates;
import io.switchboard.testing.TestPorts;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TURN over TCP and TLS (RFC 8656 section 3.1) with our own clients: the transport is part of the five-tuple, an
 * allocation lives and dies with its connection, ChannelData is padded both ways, ALPN "stun.turn", and hostile
 * connections are closed (at once, or when the authentication timeout runs out) and counted, while the UDP and TCP
 * allocations of other clients keep relaying.
 */
@DisplayName("relay: TURN over TCP and TLS")
@Timeout(120)
class StreamTransportTest {

  private static final int CHANNEL = 0x4001;
  /** The relay's authentication timeout in this test, seconds. */
  private static final int AUTH_TIMEOUT = 2;

  private static RelayTestNode node;
  private static DatagramSocket peer;

  @BeforeAll
  static void start() throws IOException {
    node = RelayTestNode.startWithStreams(new JsonObject().put("streamAuthTimeoutSeconds", AUTH_TIMEOUT)
      .put("maxAllocationsPerUser", 100), TestCertificates.newAuthority("turn").member("localhost"));
    peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    peer.setSoTimeout(3000);
  }

  @AfterAll
  static void stop() throws Exception {
    if (peer != null) {
      peer.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private static String user(String identity) {
    return RelayTestNode.restUsername(identity, 3600);
  }

  private static java.util.function.Consumer<io.switchboard.relay.proto.MessageWriter> udpTransport() {
    return w -> RequestedTransport.write(w, RequestedTransport.UDP);
  }

  private static java.util.function.Consumer<io.switchboard.relay.proto.MessageWriter> bindToPeer() {
    return w -> {
      ChannelNumber.write(w, CHANNEL);
      XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, (InetSocketAddress) peer.getLocalSocketAddress());
    };
  }

  /** A TCP or TLS client with an allocation and a channel to the peer. */
  private static InetSocketAddress allocateAndBind(StreamStunClient client) {
    StunClient.Response allocated = client.request(Method.ALLOCATE, udpTransport());
    assertEquals(0, allocated.errorCode(), "Allocate over a stream");
    assertEquals(0, client.request(Method.CHANNEL_BIND, bindToPeer()).errorCode(), "ChannelBind over a stream");
    return allocated.relayed();
  }

  /** Both directions through a stream client's allocation: padded ChannelData each way. */
  private static void relays(StreamStunClient client, InetSocketAddress relayed, String what) throws IOException {
    byte[] out = ("to the peer " + what).getBytes(StandardCharsets.UTF_8); // odd lengths: padding both ways
    client.sendChannelData(CHANNEL, out);
    DatagramPacket received = receiveAtPeer();
    assertArrayEquals(out, Arrays.copyOf(received.getData(), received.getLength()), what + ": client to peer");
    assertEquals(relayed, received.getSocketAddress(), what + ": from the relayed address");
    byte[] back = ("to the client, " + what).getBytes(StandardCharsets.UTF_8);
    peer.send(new DatagramPacket(back, back.length, relayed));
    byte[] message = client.receive();
    assertTrue(message != null && (message[0] & 0xC0) == 0x40, what + ": ChannelData back");
    assertEquals(CHANNEL, ByteBuffer.wrap(message).getShort() & 0xFFFF);
    assertArrayEquals(back, Arrays.copyOfRange(message, 4, message.length), what + ": peer to client");
  }

  /** Both directions through a UDP client's allocation. */
  private static void relays(StunClient client, InetSocketAddress relayed, String what) throws IOException {
    byte[] out = ("udp to the peer " + what).getBytes(StandardCharsets.UTF_8);
    client.sendRaw(ByteBuffer.allocate(4 + out.length).putShort((short) CHANNEL).putShort((short) out.length)
      .put(out).array());
    DatagramPacket received = receiveAtPeer();
    assertArrayEquals(out, Arrays.copyOf(received.getData(), received.getLength()), what + ": udp client to peer");
    byte[] back = ("udp to the client " + what).getBytes(StandardCharsets.UTF_8);
    peer.send(new DatagramPacket(back, back.length, relayed));
    byte[] message = client.receive();
    assertTrue(message != null && (message[0] & 0xC0) == 0x40, what + ": ChannelData back over udp");
    assertArrayEquals(back, Arrays.copyOfRange(message, 4, 4 + back.length), what + ": peer to udp client");
  }

  private static DatagramPacket receiveAtPeer() throws IOException {
    DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
    peer.receive(packet);
    return packet;
  }

  private static double metric(String series) {
    return node.metric(series);
  }

  private static String closedSeries(String transport, String reason) {
    return "switchboard_turn_stream_closed_total{reason=\"" + reason + "\",transport=\"" + transport + "\"}";
  }

  private static StreamStunClient tcpClient(String identity) {
    String username = user(identity);
    return StreamStunClient.tcp(node.tcpPort()).credentials(username, RelayTestNode.restPassword(username));
  }

  @Test
  @DisplayName("TCP and TLS: Allocate, ChannelBind and padded ChannelData both ways; closing deletes the allocation")
  void relaysAndEndsWithTheConnection() throws Exception {
    String deleted = "switchboard_turn_allocations_closed_total{reason=\"connection_closed\"}";
    double deletedBefore = metric(deleted);
    double allocationsBefore = metric("switchboard_turn_allocations_active");
    try (StreamStunClient tcp = tcpClient("tcp");
         StreamStunClient tls = StreamStunClient.tls(node.tlsPort())
           .credentials(RelayTestNode.STATIC_USER, RelayTestNode.STATIC_PASSWORD)) {
      relays(tcp, allocateAndBind(tcp), "tcp");
      relays(tls, allocateAndBind(tls), "tls");
      assertEquals(allocationsBefore + 2, metric("switchboard_turn_allocations_active"));
      assertEquals(1.0, metric("switchboard_turn_stream_connections{transport=\"tcp\"}"));
      assertEquals(1.0, metric("switchboard_turn_stream_connections{transport=\"tls\"}"));
    }
    assertEquals(deletedBefore + 2, Metrics.awaitValue(() -> metric(deleted), deletedBefore + 2, 3000),
      "both allocations deleted with their connections");
    assertEquals(allocationsBefore, metric("switchboard_turn_allocations_active"));
    assertEquals(0.0, Metrics.awaitValue(() -> metric("switchboard_turn_stream_connections{transport=\"tcp\"}"),
      0, 3000));
  }

  @Test
  @DisplayName("a UDP and a TCP client on one address and port hold two allocations; closing TCP deletes only its own")
  void transportIsPartOfTheFiveTuple() throws Exception {
    int port = TestPorts.freeUdpBlock(1);
    InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    String udpUser = user("same-port-udp");
    String deleted = "switchboard_turn_allocations_closed_total{reason=\"connection_closed\"}";
    try (StunClient udp = new StunClient(node.relayPort(), local)
      .credentials(udpUser, RelayTestNode.restPassword(udpUser))) {
      StunClient.Response udpAllocated = udp.request(Method.ALLOCATE, udpTransport());
      assertEquals(0, udpAllocated.errorCode());
      assertEquals(0, udp.request(Method.CHANNEL_BIND, bindToPeer()).errorCode());
      double allocations = metric("switchboard_turn_allocations_active");
      double deletedBefore = metric(deleted);
      String tcpUser = user("same-port-tcp");
      try (StreamStunClient tcp = StreamStunClient.tcp(node.tcpPort(), local)
        .credentials(tcpUser, RelayTestNode.restPassword(tcpUser))) {
        assertEquals(local, tcp.localAddress());
        InetSocketAddress tcpRelayed = allocateAndBind(tcp);
        assertNotEquals(udpAllocated.relayed(), tcpRelayed, "a second allocation, not the UDP one (437 otherwise)");
        assertEquals(allocations + 1, metric("switchboard_turn_allocations_active"));
        relays(tcp, tcpRelayed, "tcp beside udp");
        relays(udp, udpAllocated.relayed(), "udp beside tcp");
      }
      assertEquals(deletedBefore + 1, Metrics.awaitValue(() -> metric(deleted), deletedBefore + 1, 3000));
      assertEquals(allocations, metric("switchboard_turn_allocations_active"));
      relays(udp, udpAllocated.relayed(), "udp after the tcp connection closed");
      assertEquals(0, udp.request(Method.REFRESH, w -> Lifetime.write(w, 0)).errorCode());
    }
  }

  @Test
  @DisplayName("Refresh with LIFETIME 0 over TCP is answered, then the connection closes (allocation_ended)")
  void deletedAllocationClosesItsConnection() {
    double before = metric(closedSeries("tcp", "allocation_ended"));
    try (StreamStunClient tcp = tcpClient("refresh-zero")) {
      allocateAndBind(tcp);
      assertEquals(0, tcp.request(Method.REFRESH, w -> Lifetime.write(w, 0)).errorCode());
      assertTrue(tcp.closedByServer(3000), "closed after the answer");
    }
    assertEquals(before + 1, Metrics.awaitValue(() -> metric(closedSeries("tcp", "allocation_ended")), before + 1,
      3000));
  }

  @Test
  @DisplayName("TLS: ALPN stun.turn is selected when offered; a client offering none or others is served without")
  void alpn() {
    try (StreamStunClient offered = StreamStunClient.tls(node.tlsPort(), "stun.turn");
         StreamStunClient other = StreamStunClient.tls(node.tlsPort(), "h2");
         StreamStunClient none = StreamStunClient.tls(node.tlsPort())) {
      assertEquals("stun.turn", offered.applicationProtocol());
      assertEquals("", other.applicationProtocol());
      assertEquals("", none.applicationProtocol());
      for (StreamStunClient client : new StreamStunClient[] {offered, other, none}) {
        StunClient.Response binding = client.send(StunClient.build(Method.BINDING,
          io.switchboard.relay.proto.MessageClass.REQUEST, StunClient.newTransactionId(), w -> { }));
        assertEquals(client.localAddress(), binding.address(AttributeType.XOR_MAPPED_ADDRESS));
      }
    }
  }

  /** A raw TCP connection sending {@code bytes} (maybe none) and then nothing. */
  private static Socket raw(int port, byte[] bytes) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return socket;
  }

  /** True when the relay closes {@code socket} within {@code millis}. */
  private static boolean closedWithin(Socket socket, int millis) {
    try {
      socket.setSoTimeout(millis);
      while (socket.getInputStream().read() >= 0) {
        // whatever the relay sent before closing
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Test
  @DisplayName("hostile connections are closed and counted; open UDP and TCP allocations keep relaying")
  void hostileConnections() throws Exception {
    String udpUser = user("bystander-udp");
    try (StunClient udp = new StunClient(node.relayPort()).credentials(udpUser, RelayTestNode.restPassword(udpUser));
         StreamStunClient tcp = tcpClient("bystander-tcp")) {
      StunClient.Response udpAllocated = udp.request(Method.ALLOCATE, udpTransport());
      assertEquals(0, udpAllocated.errorCode());
      assertEquals(0, udp.request(Method.CHANNEL_BIND, bindToPeer()).errorCode());
      InetSocketAddress tcpRelayed = allocateAndBind(tcp);
      byte[] cookie = ByteBuffer.allocate(4).putInt(StunMessage.MAGIC_COOKIE).array();
      byte[] hugeStun = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0xFFFC).put(cookie)
        .array();
      Object[][] cases = {
        // what, port, bytes, transport, reason, closed at once (else after the authentication timeout)
        {"TLS handshake never finished", node.tlsPort(), new byte[] {0x16, 0x03, 0x01, 0x00, 0x50, 0x01},
          "tls", "handshake_timeout", false},
        {"fewer than 20 bytes, then nothing", node.tcpPort(), new byte[] {0x00, 0x01, 0x00, 0x00, 0x21, 0x12},
          "tcp", "auth_timeout", false},
        {"a STUN header announcing 64 KiB", node.tcpPort(), hugeStun, "tcp", "too_large", true},
        {"a first byte neither STUN nor ChannelData", node.tcpPort(), new byte[] {(byte) 0xFF, 0, 0, 0}, "tcp",
          "not_turn", true},
        {"plain bytes on the TLS port", node.tlsPort(), "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.UTF_8),
          "tls", "handshake_failed", true},
      };
      for (Object[] c : cases) {
        String what = (String) c[0];
        String series = closedSeries((String) c[3], (String) c[4]);
        double before = metric(series);
        try (Socket socket = raw((int) c[1], (byte[]) c[2])) {
          // at once: well before the authentication timeout; else within it and a margin
          int within = (boolean) c[5] ? AUTH_TIMEOUT * 1000 / 2 : AUTH_TIMEOUT * 1000 + 3000;
          assertTrue(closedWithin(socket, within), what + ": closed by the relay");
        }
        assertEquals(before + 1, Metrics.awaitValue(() -> metric(series), before + 1, 3000), what + ": counted");
        relays(udp, udpAllocated.relayed(), "udp after " + what);
        relays(tcp, tcpRelayed, "tcp after " + what);
      }
      assertEquals(0, metric("switchboard_turn_dropped_total{reason=\"internal_error\"}"));
    }
  }

  @Test
  @DisplayName("a connection that authenticates in time is not closed by the authentication timeout")
  void authenticatedConnectionOutlivesTheTimeout() throws Exception {
    try (StreamStunClient tcp = tcpClient("patient")) {
      InetSocketAddress relayed = allocateAndBind(tcp);
      Thread.sleep(AUTH_TIMEOUT * 1000L + 500);
      relays(tcp, relayed, "after the authentication timeout");
    }
  }

  @Test
  @DisplayName("a client that stops reading: relayed data to it is dropped as back-pressure, never queued unbounded")
  void backPressure() throws Exception {
    String series = "switchboard_turn_dropped_total{reason=\"backpressure\"}";
    double before = metric(series);
    try (StreamStunClient tcp = tcpClient("slow-reader")) {
      InetSocketAddress relayed = allocateAndBind(tcp);
      byte[] payload = new byte[1200];
      // far more than the socket buffers and the connection's 256 KiB of queued bytes can hold, paced so the
      // relay's own UDP socket does not lose them first
      for (int i = 0; i < 80_000; i++) {
        peer.send(new DatagramPacket(payload, payload.length, relayed));
        if (i % 20 == 19) {
          Thread.sleep(1);
        }
        if (i % 2000 == 1999 && metric(series) > before) {
          break;
        }
      }
      assertTrue(Metrics.awaitValue(() -> metric(series), before + 1, 3000) > before, () -> "back-pressure counted: "
        + Metrics.scrape(node.httpPort()).lines().filter(l -> l.startsWith("switchboard_turn_dropped")
        || l.startsWith("switchboard_turn_packets")).toList());
      assertEquals(1.0, metric("switchboard_turn_stream_connections{transport=\"tcp\"}"), "the connection stays");
    }
  }

  @Test
  @DisplayName("connection limits: per source address, then per instance; refused connections are closed and counted")
  void limits() throws Exception {
    try (RelayTestNode limited = RelayTestNode.startWithStreams(new JsonObject().put("maxStreamConnections", 3)
      .put("maxStreamConnectionsPerAddress", 2), TestCertificates.newAuthority("turn-limits").member("localhost"))) {
      String addressLimit = "switchboard_turn_stream_closed_total{reason=\"address_limit\",transport=\"tcp\"}";
      String instanceLimit = "switchboard_turn_stream_closed_total{reason=\"connection_limit\",transport=\"tcp\"}";
      try (StreamStunClient a = from(limited, "127.0.0.1");
           StreamStunClient b = from(limited, "127.0.0.1");
           StreamStunClient c = from(limited, "127.0.0.1")) {
        assertTrue(c.closedByServer(3000), "a third connection from one address");
        assertEquals(1.0, Metrics.awaitValue(() -> limited.metric(addressLimit), 1, 3000));
        try (StreamStunClient d = from(limited, "127.0.0.2");
             StreamStunClient e = from(limited, "127.0.0.3")) {
          assertTrue(e.closedByServer(3000), "a fourth connection on the instance");
          assertEquals(1.0, Metrics.awaitValue(() -> limited.metric(instanceLimit), 1, 3000));
          for (StreamStunClient open : new StreamStunClient[] {a, b, d}) {
            assertEquals(open.localAddress(), open.send(StunClient.build(Method.BINDING,
              io.switchboard.relay.proto.MessageClass.REQUEST, StunClient.newTransactionId(), w -> { }))
              .address(AttributeType.XOR_MAPPED_ADDRESS), "the connections within the limits are served");
          }
        }
      }
      String open = "switchboard_turn_stream_connections{transport=\"tcp\"}";
      assertEquals(0.0, Metrics.awaitValue(() -> limited.metric(open), 0, 3000));
    }
  }

  @Test
  @DisplayName("two relay instances bind the TCP and TLS ports with SO_REUSEPORT; every connection's allocation relays")
  void twoInstances() throws Exception {
    try (RelayTestNode two = RelayTestNode.startWithStreams(new JsonObject().put("instances", 2)
      .put("maxAllocationsPerUser", 100), TestCertificates.newAuthority("turn-two").member("localhost"))) {
      java.util.List<StreamStunClient> clients = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          String username = user("two-" + i);
          StreamStunClient client = i % 2 == 0 ? StreamStunClient.tcp(two.tcpPort())
            : StreamStunClient.tls(two.tlsPort());
          clients.add(client.credentials(username, RelayTestNode.restPassword(username)));
          StunClient.Response allocated = client.request(Method.ALLOCATE, udpTransport());
          assertEquals(0, allocated.errorCode(), "Allocate on connection " + i);
          assertEquals(0, client.request(Method.CHANNEL_BIND, bindToPeer()).errorCode());
          relays(client, allocated.relayed(), "connection " + i + " of two instances");
        }
        assertEquals(8.0, two.metric("switchboard_turn_allocations_active"));
      } finally {
        clients.forEach(StreamStunClient::close);
      }
      assertEquals(0.0, Metrics.awaitValue(() -> two.metric("switchboard_turn_allocations_active"), 0, 3000));
    }
  }

  @Test
  @DisplayName("framing: a message cut into single bytes arrives whole; messages back to back in one write each count")
  void framing() throws Exception {
    try (StreamStunClient tcp = tcpClient("framing")) {
      InetSocketAddress relayed = allocateAndBind(tcp);
      byte[] binding = StunClient.build(Method.BINDING, io.switchboard.relay.proto.MessageClass.REQUEST,
        StunClient.newTransactionId(), w -> { });
      for (byte b : binding) {
        tcp.sendRaw(new byte[] {b});
        Thread.sleep(2);
      }
      byte[] answer = tcp.receive();
      assertTrue(answer != null && Arrays.equals(answer, 8, 20, binding, 8, 20), "Binding sent byte by byte");
      // ChannelData of 5 bytes (3 of padding), a Binding and ChannelData of 7 bytes (1 of padding) in one write
      byte[] first = "first".getBytes(StandardCharsets.UTF_8);
      byte[] second = "seconds".getBytes(StandardCharsets.UTF_8);
      byte[] secondBinding = StunClient.build(Method.BINDING, io.switchboard.relay.proto.MessageClass.REQUEST,
        StunClient.newTransactionId(), w -> { });
      ByteBuffer batch = ByteBuffer.allocate(12 + secondBinding.length + 12);
      batch.putShort((short) CHANNEL).putShort((short) first.length).put(first).put(new byte[3]);
      batch.put(secondBinding);
      batch.putShort((short) CHANNEL).putShort((short) second.length).put(second).put(new byte[1]);
      tcp.sendRaw(batch.array());
      assertArrayEquals(first, payload(receiveAtPeer()), "first ChannelData of the batch");
      assertArrayEquals(second, payload(receiveAtPeer()), "last ChannelData of the batch, after the Binding");
      byte[] batchAnswer = tcp.receive();
      assertTrue(batchAnswer != null && Arrays.equals(batchAnswer, 8, 20, secondBinding, 8, 20), "Binding in a batch");
      relays(tcp, relayed, "after the batch");
    }
  }

  private static byte[] payload(DatagramPacket packet) {
    return Arrays.copyOf(packet.getData(), packet.getLength());
  }

  @Test
  @DisplayName("a TLS port already taken: the node does not start, and says which listener failed")
  void tlsPortTaken() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(TestPorts.freePort(), 1,
      InetAddress.getLoopbackAddress())) {
      IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> RelayTestNode.startWithStreams(new JsonObject().put("tls", new JsonObject().put("port",
          taken.getLocalPort())), TestCertificates.newAuthority("turn-taken").member("localhost")).close());
      Throwable cause = refused;
      StringBuilder messages = new StringBuilder();
      while (cause != null) {
        messages.append(cause.getMessage()).append(" / ");
        cause = cause.getCause();
      }
      assertTrue(messages.toString().contains("relay cannot listen on tls 127.0.0.1:" + taken.getLocalPort()),
        messages.toString());
    }
  }

  private static StreamStunClient from(RelayTestNode relay, String source) throws IOException {
    return StreamStunClient.tcp(relay.tcpPort(), new InetSocketAddress(InetAddress.getByName(source), 0));
  }
}
