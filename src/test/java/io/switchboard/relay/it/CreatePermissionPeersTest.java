package io.switchboard.relay.it;

import io.netty.buffer.Unpooled;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.Data;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.StunClient;
import io.vertx.core.json.JsonArray;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CreatePermission with several XOR-PEER-ADDRESS attributes (RFC 8656 section 10.2): a valid request installs a
 * permission for each; a request the server refuses (403 for one forbidden peer, 443 for one of another family)
 * installs none. Peers are UDP sockets on 127.0.0.1-3, which this relay allows; whether a permission exists is seen
 * on the wire, by a peer's datagram reaching the client or not.
 */
@DisplayName("relay: CreatePermission with several peers, all or nothing")
@Timeout(60)
class CreatePermissionPeersTest {

  /** Benchmarking range, refused by the built-in policy: only ever written into a request, never sent to. */
  private static final InetSocketAddress FORBIDDEN_PEER = new InetSocketAddress("198.18.0.1", 4000);
  /** Allowed by this relay's policy, so only its family refuses it; never sent to either. */
  private static final InetSocketAddress IPV6_PEER = new InetSocketAddress("::1", 4000);

  private static RelayTestNode node;

  @BeforeAll
  static void start() {
    node = RelayTestNode.start(new JsonObject().put("allowedPeers", new JsonArray().add("127.0.0.0/8").add("::1")));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  /** A client with an allocation; answers its relayed address. */
  private static InetSocketAddress allocate(StunClient client) {
    StunClient.Response response = client.request(Method.ALLOCATE,
      w -> RequestedTransport.write(w, RequestedTransport.UDP));
    assertEquals(0, response.errorCode());
    return response.relayed();
  }

  private static StunClient restClient(String identity) {
    String username = RelayTestNode.restUsername(identity, 3600);
    return new StunClient(node.relayPort()).credentials(username, RelayTestNode.restPassword(username));
  }

  private static int createPermission(StunClient client, List<InetSocketAddress> peers) {
    return client.request(Method.CREATE_PERMISSION, w -> peers.forEach(
      peer -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peer))).errorCode();
  }

  private static DatagramSocket peerOn(String address) throws IOException {
    return new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
  }

  private static InetSocketAddress addressOf(DatagramSocket socket) {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  private static void send(DatagramSocket from, InetSocketAddress to, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    from.send(new DatagramPacket(bytes, bytes.length, to));
  }

  /** The next Data indication the client gets: its peer and its text. */
  private static Map.Entry<InetSocketAddress, String> nextData(StunClient client) {
    byte[] datagram = client.receive();
    assertNotNull(datagram, "no Data indication within the client's timeout");
    return dataIndication(datagram);
  }

  private static Map.Entry<InetSocketAddress, String> dataIndication(byte[] datagram) {
    StunMessage data = StunMessage.decode(Unpooled.wrappedBuffer(datagram));
    assertTrue(data.is(Method.DATA, MessageClass.INDICATION));
    int index = Data.find(data);
    return Map.entry(XorAddress.read(data, AttributeType.XOR_PEER_ADDRESS),
      data.buffer().toString(data.valueOffset(index), data.valueLength(index), StandardCharsets.UTF_8));
  }

  private static double droppedForNoPermission() {
    return node.metric("switchboard_turn_dropped_total{reason=\"no_permission\"}");
  }

  /**
   * Whether a datagram from {@code peer} reaches the client. The relay does one of two things with it: relays it
   * (the client gets it) or drops it for want of a permission (and counts that); this waits for either, so the
   * answer does not depend on how long the relay takes.
   */
  private static boolean reachesClient(StunClient client, InetSocketAddress relayed, DatagramSocket peer)
    throws IOException {
    double dropped = droppedForNoPermission();
    send(peer, relayed, "probe");
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      byte[] datagram = client.receive(100);
      if (datagram != null) {
        assertEquals(Map.entry(addressOf(peer), "probe"), dataIndication(datagram));
        return true;
      }
      if (droppedForNoPermission() > dropped) {
        return false;
      }
    }
    throw new AssertionError("the relay neither relayed nor dropped the probe within 10 s");
  }

  @Test
  @DisplayName("three XOR-PEER-ADDRESS in one request: each of the three peers reaches the client")
  void severalPeersInstalled() throws Exception {
    List<DatagramSocket> peers = new ArrayList<>();
    try (StunClient client = restClient("several")) {
      for (String address : List.of("127.0.0.1", "127.0.0.2", "127.0.0.3")) {
        peers.add(peerOn(address));
      }
      InetSocketAddress relayed = allocate(client);
      assertEquals(0, createPermission(client, peers.stream().map(CreatePermissionPeersTest::addressOf).toList()));
      for (DatagramSocket peer : peers) {
        send(peer, relayed, "from " + addressOf(peer).getAddress().getHostAddress());
      }
      Map<InetSocketAddress, String> received = new HashMap<>();
      for (int i = 0; i < peers.size(); i++) {
        Map.Entry<InetSocketAddress, String> data = nextData(client);
        received.put(data.getKey(), data.getValue());
      }
      for (DatagramSocket peer : peers) {
        assertEquals("from " + addressOf(peer).getAddress().getHostAddress(), received.get(addressOf(peer)));
      }
    } finally {
      peers.forEach(DatagramSocket::close);
    }
  }

  @Test
  @DisplayName("one forbidden peer among allowed ones: 403, and none of them gets a permission")
  void oneForbiddenPeerRefusesAll() throws Exception {
    try (StunClient client = restClient("forbidden"); DatagramSocket peer = peerOn("127.0.0.2")) {
      InetSocketAddress relayed = allocate(client);
      assertEquals(403, createPermission(client, List.of(addressOf(peer), FORBIDDEN_PEER)));
      assertFalse(reachesClient(client, relayed, peer), "the allowed peer of the refused request");
    }
  }

  @Test
  @DisplayName("one peer of another family among IPv4 ones: 443, and none of them gets a permission")
  void oneMismatchedFamilyRefusesAll() throws Exception {
    try (StunClient client = restClient("mixed-family"); DatagramSocket peer = peerOn("127.0.0.3")) {
      InetSocketAddress relayed = allocate(client);
      assertEquals(443, createPermission(client, List.of(addressOf(peer), IPV6_PEER)));
      assertFalse(reachesClient(client, relayed, peer), "the IPv4 peer of the refused request");
    }
  }

  @Test
  @DisplayName("the probe of reachesClient sees a permission that exists")
  void probeSeesPermission() throws Exception {
    try (StunClient client = restClient("probe"); DatagramSocket peer = peerOn("127.0.0.2")) {
      InetSocketAddress relayed = allocate(client);
      assertEquals(0, createPermission(client, List.of(addressOf(peer))));
      assertTrue(reachesClient(client, relayed, peer));
    }
  }
}
