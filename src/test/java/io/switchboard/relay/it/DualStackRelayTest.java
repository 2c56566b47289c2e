package io.switchboard.relay.it;

import io.netty.buffer.Unpooled;
import io.switchboard.relay.proto.AdditionalAddressFamily;
import io.switchboard.relay.proto.AddressErrorCode;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelData;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Data;
import io.switchboard.relay.proto.EvenPort;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedAddressFamily;
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
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A relay with IPv6 relaying and an IPv6 listener beside its IPv4 ones (relay.host6, relay.relayHost6; RFC 8656
 * sections 7.2, 8, 10.2, 12): REQUESTED-ADDRESS-FAMILY IPv6, dual allocations with ADDITIONAL-ADDRESS-FAMILY, data to
 * IPv4 and IPv6 peers through one allocation, Refresh per family, ports and quota of a dual allocation. Everything
 * runs on 127.0.0.1 and ::1, both allowed as peers here.
 */
@DisplayName("relay: IPv6 relayed addresses, dual allocations and the IPv6 listener")
@Timeout(90)
class DualStackRelayTest {

  private static final InetAddress IPV4_LOOPBACK = InetAddress.getLoopbackAddress();
  private static final InetAddress IPV6_LOOPBACK = ipv6Loopback();

  private static RelayTestNode node;

  private static InetAddress ipv6Loopback() {
    try {
      return InetAddress.getByName("::1");
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** IPv4 and IPv6 relaying, listeners on 127.0.0.1 and ::1, plus {@code overrides}. */
  static JsonObject dualStack(JsonObject overrides) {
    return new JsonObject().put("host6", "::1").put("relayHost6", "::1")
      .put("allowedPeers", new JsonArray().add("127.0.0.0/8").add("::1")).mergeIn(overrides);
  }

  @BeforeAll
  static void start() {
    node = RelayTestNode.start(dualStack(new JsonObject()));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  static StunClient restClient(RelayTestNode relay, String identity, InetAddress serverAddress) {
    String username = RelayTestNode.restUsername(identity, 3600);
    return new StunClient(new InetSocketAddress(serverAddress, relay.relayPort()))
      .credentials(username, RelayTestNode.restPassword(username));
  }

  private static StunClient restClient(String identity) {
    return restClient(node, identity, IPV4_LOOPBACK);
  }

  static StunClient.Response allocate(StunClient client, Consumer<io.switchboard.relay.proto.MessageWriter> extra) {
    return client.request(Method.ALLOCATE, w -> {
      RequestedTransport.write(w, RequestedTransport.UDP);
      extra.accept(w);
    });
  }

  static StunClient.Response dualAllocate(StunClient client) {
    return allocate(client, w -> AdditionalAddressFamily.write(w, XorAddress.FAMILY_IPV6));
  }

  static StunClient.Response refresh(StunClient client, long lifetime, int family) {
    return client.request(Method.REFRESH, w -> {
      Lifetime.write(w, lifetime);
      if (family >= 0) {
        RequestedAddressFamily.write(w, family);
      }
    });
  }

  private static StunClient.Response permit(StunClient client, InetSocketAddress... peers) {
    return client.request(Method.CREATE_PERMISSION, w -> {
      for (InetSocketAddress peer : peers) {
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peer);
      }
    });
  }

  private static void assertInRange(RelayTestNode relay, InetSocketAddress relayed) {
    assertTrue(relayed.getPort() >= relay.minPort() && relayed.getPort() <= relay.maxPort(), relayed.toString());
  }

  @Test
  @DisplayName("REQUESTED-ADDRESS-FAMILY IPv6: an IPv6 relayed address on relay.relayHost6; none: IPv4 (the default)")
  void requestedIpv6() {
    try (StunClient v6 = restClient("family-v6"); StunClient v4 = restClient("family-v4")) {
      StunClient.Response ipv6 = allocate(v6, w -> RequestedAddressFamily.write(w, XorAddress.FAMILY_IPV6));
      assertEquals(0, ipv6.errorCode());
      assertEquals(List.of(new InetSocketAddress(IPV6_LOOPBACK, ipv6.relayed().getPort())), ipv6.allRelayed());
      assertInRange(node, ipv6.relayed());
      StunClient.Response ipv4 = allocate(v4, w -> { });
      assertEquals(0, ipv4.errorCode());
      assertTrue(ipv4.relayed().getAddress() instanceof Inet4Address, ipv4.relayed().toString());
      assertEquals(1, ipv4.allRelayed().size());
    }
  }

  @Test
  @DisplayName("ADDITIONAL-ADDRESS-FAMILY IPv6: two XOR-RELAYED-ADDRESS, IPv4 then IPv6, on two relay ports; no "
    + "ADDRESS-ERROR-CODE")
  void dualAllocation() {
    try (StunClient client = restClient("dual")) {
      StunClient.Response dual = dualAllocate(client);
      assertEquals(0, dual.errorCode());
      List<InetSocketAddress> relayed = dual.allRelayed();
      assertEquals(2, relayed.size(), relayed.toString());
      assertEquals(IPV4_LOOPBACK, relayed.get(0).getAddress());
      assertEquals(IPV6_LOOPBACK, relayed.get(1).getAddress());
      assertNotEquals(relayed.get(0).getPort(), relayed.get(1).getPort(), "one relay port per family");
      relayed.forEach(address -> assertInRange(node, address));
      assertNull(AddressErrorCode.read(dual.message()));
      assertEquals(client.localAddress(), dual.address(AttributeType.XOR_MAPPED_ADDRESS));
    }
  }

  @Test
  @DisplayName("ADDITIONAL-ADDRESS-FAMILY under the drafts' number 0x8032 (coturn 4.6's): a dual allocation too")
  void draftCodePoint() {
    try (StunClient client = restClient("dual-draft")) {
      StunClient.Response dual = allocate(client, w -> AdditionalAddressFamily.write(w,
        AttributeType.ADDITIONAL_ADDRESS_FAMILY_DRAFT, XorAddress.FAMILY_IPV6));
      assertEquals(0, dual.errorCode());
      assertEquals(List.of(IPV4_LOOPBACK, IPV6_LOOPBACK),
        dual.allRelayed().stream().map(InetSocketAddress::getAddress).toList());
    }
  }

  @Test
  @DisplayName("EVEN-PORT R on an IPv6 allocation: the RESERVATION-TOKEN's Allocate gets the next port in IPv6 too")
  void reservationKeepsItsFamily() {
    try (StunClient first = restClient("reserve-v6"); StunClient second = restClient("reserve-v6")) {
      StunClient.Response even = allocate(first, w -> {
        RequestedAddressFamily.write(w, XorAddress.FAMILY_IPV6);
        EvenPort.write(w, true);
      });
      assertEquals(0, even.errorCode());
      Long token = io.switchboard.relay.proto.ReservationToken.read(even.message());
      assertNotNull(token);
      StunClient.Response claimed = allocate(second, w -> io.switchboard.relay.proto.ReservationToken.write(w, token));
      assertEquals(0, claimed.errorCode());
      assertEquals(new InetSocketAddress(IPV6_LOOPBACK, even.relayed().getPort() + 1), claimed.relayed());
    }
  }

  @Test
  @DisplayName("400: both family attributes, ADDITIONAL IPv4 or an unknown family, EVEN-PORT R with ADDITIONAL, "
    + "RESERVATION-TOKEN with ADDITIONAL; nothing is left allocated")
  void badDualRequests() {
    try (StunClient client = restClient("dual-bad")) {
      assertEquals(400, allocate(client, w -> {
        RequestedAddressFamily.write(w, XorAddress.FAMILY_IPV4);
        AdditionalAddressFamily.write(w, XorAddress.FAMILY_IPV6);
      }).errorCode());
      assertEquals(400, allocate(client, w -> AdditionalAddressFamily.write(w, XorAddress.FAMILY_IPV4)).errorCode());
      assertEquals(400, allocate(client, w -> AdditionalAddressFamily.write(w, 0x03)).errorCode());
      assertEquals(400, allocate(client, w -> {
        EvenPort.write(w, true);
        AdditionalAddressFamily.write(w, XorAddress.FAMILY_IPV6);
      }).errorCode());
      assertEquals(400, allocate(client, w -> {
        io.switchboard.relay.proto.ReservationToken.write(w, 42L);
        AdditionalAddressFamily.write(w, XorAddress.FAMILY_IPV6);
      }).errorCode());
      // EVEN-PORT without R goes with a dual allocation: both ports even
      StunClient.Response even = allocate(client, w -> {
        EvenPort.write(w, false);
        AdditionalAddressFamily.write(w, XorAddress.FAMILY_IPV6);
      });
      assertEquals(0, even.errorCode(), "the refused Allocates left no allocation behind (else 437)");
      assertEquals(2, even.allRelayed().size());
      even.allRelayed().forEach(address -> assertEquals(0, address.getPort() % 2, address.toString()));
    }
  }

  @Test
  @DisplayName("one dual allocation relays to an IPv4 and an IPv6 peer, each from the relayed address of its "
    + "family: Send/Data indications and ChannelData both ways")
  void dataThroughBothFamilies() throws Exception {
    try (StunClient client = restClient("dual-data");
         DatagramSocket peer4 = peerSocket(IPV4_LOOPBACK);
         DatagramSocket peer6 = peerSocket(IPV6_LOOPBACK)) {
      List<InetSocketAddress> relayed = dualAllocate(client).allRelayed();
      InetSocketAddress address4 = (InetSocketAddress) peer4.getLocalSocketAddress();
      InetSocketAddress address6 = (InetSocketAddress) peer6.getLocalSocketAddress();
      assertEquals(0, permit(client, address4, address6).errorCode(), "one CreatePermission for both families");

      sendIndication(client, address4, "to v4");
      assertReceived(peer4, relayed.get(0), "to v4");
      sendIndication(client, address6, "to v6");
      assertReceived(peer6, relayed.get(1), "to v6");

      reply(peer4, relayed.get(0), "from v4");
      assertDataIndication(client.receive(), address4, "from v4");
      reply(peer6, relayed.get(1), "from v6");
      assertDataIndication(client.receive(), address6, "from v6");

      assertEquals(0, client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, 0x4006);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, address6);
      }).errorCode());
      client.sendRaw(channelData(0x4006, "channel to v6"));
      assertReceived(peer6, relayed.get(1), "channel to v6");
      reply(peer6, relayed.get(1), "channel from v6");
      byte[] back = client.receive();
      assertNotNull(back);
      assertArrayEquals(channelData(0x4006, "channel from v6"), back);
    }
  }

  @Test
  @DisplayName("Refresh: a family the allocation lacks is 443; a lifetime with a family refreshes; LIFETIME 0 with "
    + "IPv6 gives up only the IPv6 address (its port comes back); LIFETIME 0 with the last family deletes")
  void refreshPerFamily() throws Exception {
    try (StunClient client = restClient("dual-refresh"); StunClient single = restClient("single-refresh")) {
      assertEquals(0, allocate(single, w -> { }).errorCode());
      assertEquals(443, refresh(single, 600, XorAddress.FAMILY_IPV6).errorCode());
      assertEquals(0, refresh(single, 600, XorAddress.FAMILY_IPV4).errorCode());

      List<InetSocketAddress> relayed = dualAllocate(client).allRelayed();
      StunClient.Response refreshed = refresh(client, 600, XorAddress.FAMILY_IPV6);
      assertEquals(0, refreshed.errorCode());
      assertEquals(600, Lifetime.read(refreshed.message()));

      StunClient.Response dropped = refresh(client, 0, XorAddress.FAMILY_IPV6);
      assertEquals(0, dropped.errorCode());
      assertEquals(0, Lifetime.read(dropped.message()));
      awaitBindable(relayed.get(1));
      InetSocketAddress peer6 = new InetSocketAddress(IPV6_LOOPBACK, 4000);
      InetSocketAddress peer4 = new InetSocketAddress(IPV4_LOOPBACK, 4000);
      assertEquals(443, permit(client, peer6).errorCode(), "no IPv6 relayed address any more");
      assertEquals(0, permit(client, peer4).errorCode(), "the IPv4 one lives on");
      assertEquals(443, refresh(client, 600, XorAddress.FAMILY_IPV6).errorCode());

      assertEquals(0, refresh(client, 0, XorAddress.FAMILY_IPV4).errorCode());
      assertEquals(437, refresh(client, 600, -1).errorCode(), "the last family gone: the allocation is deleted");
      awaitBindable(relayed.get(0));
    }
  }

  @Test
  @DisplayName("the IPv6 listener (relay.host6): Binding and Allocate from ::1, relaying to an IPv4 peer")
  void ipv6Listener() throws Exception {
    try (StunClient client = restClient(node, "v6-listener", IPV6_LOOPBACK);
         DatagramSocket peer4 = peerSocket(IPV4_LOOPBACK)) {
      StunClient.Response binding = client.send(StunClient.build(Method.BINDING, MessageClass.REQUEST,
        StunClient.newTransactionId(), w -> { }));
      assertEquals(client.localAddress(), binding.address(AttributeType.XOR_MAPPED_ADDRESS));
      assertTrue(client.localAddress().getAddress() instanceof Inet6Address);

      StunClient.Response allocated = allocate(client, w -> { });
      assertEquals(0, allocated.errorCode());
      assertEquals(IPV4_LOOPBACK, allocated.relayed().getAddress(), "the default family whatever the listener");
      assertEquals(client.localAddress(), allocated.address(AttributeType.XOR_MAPPED_ADDRESS));
      InetSocketAddress address4 = (InetSocketAddress) peer4.getLocalSocketAddress();
      assertEquals(0, permit(client, address4).errorCode());
      sendIndication(client, address4, "over IPv6 to IPv4");
      assertReceived(peer4, allocated.relayed(), "over IPv6 to IPv4");
      reply(peer4, allocated.relayed(), "back over IPv6");
      assertDataIndication(client.receive(), address4, "back over IPv6");
    }
  }

  @Test
  @DisplayName("the relay's own IPv6 listener is no peer, though ::1 is an allowed address here: 403")
  void ownIpv6ListenerRefused() {
    try (StunClient client = restClient("v6-loop")) {
      assertEquals(0, dualAllocate(client).errorCode());
      assertEquals(403, client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, 0x4009);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress(IPV6_LOOPBACK, node.relayPort()));
      }).errorCode());
      assertEquals(0, client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, 0x4009);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress(IPV6_LOOPBACK, 4000));
      }).errorCode(), "another port of ::1 is a peer like any other");
    }
  }

  /** A relay with two relay ports and one allocation per identity: what a dual allocation takes. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("ports and quota")
  class PortsAndQuota {

    private RelayTestNode small;

    @BeforeAll
    void start() {
      small = RelayTestNode.withRelayPorts(dualStack(new JsonObject().put("maxAllocationsPerUser", 1)), 2);
    }

    @AfterAll
    void stop() throws Exception {
      small.close();
    }

    @Test
    @DisplayName("a dual allocation counts once against the quota but holds two relay ports; giving up IPv6 frees "
      + "one; a dual Allocate with one port left gets IPv4 and ADDRESS-ERROR-CODE 508 for IPv6")
    void dualTakesTwoPortsAndOneQuotaUnit() throws Exception {
      try (StunClient dual = restClient(small, "quota-a", IPV4_LOOPBACK);
           StunClient sameIdentity = restClient(small, "quota-a", IPV4_LOOPBACK);
           StunClient other = restClient(small, "quota-b", IPV4_LOOPBACK);
           StunClient third = restClient(small, "quota-c", IPV4_LOOPBACK)) {
        StunClient.Response both = dualAllocate(dual);
        assertEquals(0, both.errorCode(), "one allocation of the identity's one");
        assertEquals(2, both.allRelayed().size());
        assertEquals(486, allocate(sameIdentity, w -> { }).errorCode(), "the dual allocation counted");
        assertEquals(508, allocate(other, w -> { }).errorCode(), "both relay ports taken");

        assertEquals(0, refresh(dual, 0, XorAddress.FAMILY_IPV6).errorCode());
        awaitBindable(both.allRelayed().get(1));
        // the port goes back to the range when its socket's close completes, a moment after the OS let it go
        StunClient.Response partial = dualAllocate(other);
        for (int i = 0; i < 50 && partial.errorCode() == 508; i++) {
          Thread.sleep(20);
          partial = dualAllocate(other);
        }
        assertEquals(0, partial.errorCode());
        assertEquals(1, partial.allRelayed().size());
        assertTrue(partial.relayed().getAddress() instanceof Inet4Address);
        AddressErrorCode.Value error = AddressErrorCode.read(partial.message());
        assertNotNull(error, "the IPv6 half could not be had");
        assertEquals(XorAddress.FAMILY_IPV6, error.family());
        assertEquals(508, error.code());
        assertEquals(508, allocate(third, w -> { }).errorCode());
      }
    }
  }

  /** relay.externalAddress6 behind a (pretended) 1:1 NAT, and two instances per listener. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("external IPv6 address, instances per listener")
  class External6AndInstances {

    private static final String EXTERNAL6 = "2001:db8::10";

    private RelayTestNode natted;

    @BeforeAll
    void start() {
      natted = RelayTestNode.start(dualStack(new JsonObject().put("externalAddress6", EXTERNAL6)
        .put("instances", 2)));
    }

    @AfterAll
    void stop() throws Exception {
      natted.close();
    }

    @Test
    @DisplayName("the IPv6 XOR-RELAYED-ADDRESS holds relay.externalAddress6 with the port bound on relay.relayHost6; "
      + "the IPv4 one is unchanged; data flows on the bound IPv6 port")
    void externalAddress6() throws Exception {
      try (StunClient client = restClient(natted, "external6", IPV4_LOOPBACK);
           DatagramSocket peer6 = peerSocket(IPV6_LOOPBACK)) {
        List<InetSocketAddress> relayed = dualAllocate(client).allRelayed();
        assertEquals(IPV4_LOOPBACK, relayed.get(0).getAddress());
        assertEquals(InetAddress.getByName(EXTERNAL6), relayed.get(1).getAddress());
        InetSocketAddress address6 = (InetSocketAddress) peer6.getLocalSocketAddress();
        assertEquals(0, permit(client, address6).errorCode());
        InetSocketAddress bound = new InetSocketAddress(IPV6_LOOPBACK, relayed.get(1).getPort());
        reply(peer6, bound, "through the IPv6 NAT");
        assertDataIndication(client.receive(), address6, "through the IPv6 NAT");
        sendIndication(client, address6, "out through it");
        assertReceived(peer6, bound, "out through it");
      }
    }

    @Test
    @DisplayName("relay.instances applies per listener: relay.host6's instances are counted after relay.host's")
    void instancesPerListener() {
      assertTrue(natted.node().node().vertx().isNativeTransportEnabled(), "SO_REUSEPORT needs native epoll");
      String v6Datagrams = "switchboard_turn_listener_datagrams_total{relay_instance=\"%d\"}";
      double before = natted.metric(String.format(v6Datagrams, 2)) + natted.metric(String.format(v6Datagrams, 3));
      try (StunClient client = restClient(natted, "instances6", IPV6_LOOPBACK)) {
        assertEquals(0, allocate(client, w -> RequestedAddressFamily.write(w, XorAddress.FAMILY_IPV6)).errorCode());
      }
      double after = natted.metric(String.format(v6Datagrams, 2)) + natted.metric(String.format(v6Datagrams, 3));
      assertEquals(2, after - before, "the challenged and the signed Allocate, read by an instance of relay.host6");
    }
  }

  /** A relay on IPv6 alone (relay.host ::1, so relay.relayHost ::1): the RFC's default family IPv4 is not there. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("IPv6 only")
  class Ipv6Only {

    private RelayTestNode only6;

    @BeforeAll
    void start() {
      only6 = RelayTestNode.start(new JsonObject().put("host", "::1")
        .put("allowedPeers", new JsonArray().add("::1")));
    }

    @AfterAll
    void stop() throws Exception {
      only6.close();
    }

    @Test
    @DisplayName("no REQUESTED-ADDRESS-FAMILY (IPv4) or a dual request: 440 (RFC 8656 section 7.2 step 7); "
      + "IPv6 requested: granted")
    void defaultFamilyIsRefused() {
      try (StunClient client = restClient(only6, "only6", IPV6_LOOPBACK)) {
        assertEquals(440, allocate(client, w -> { }).errorCode());
        assertEquals(440, dualAllocate(client).errorCode());
        StunClient.Response ipv6 = allocate(client, w -> RequestedAddressFamily.write(w, XorAddress.FAMILY_IPV6));
        assertEquals(0, ipv6.errorCode());
        assertEquals(IPV6_LOOPBACK, ipv6.relayed().getAddress());
      }
    }
  }

  // ---- helpers ----

  static DatagramSocket peerSocket(InetAddress address) throws SocketException {
    DatagramSocket socket = new DatagramSocket(new InetSocketAddress(address, 0));
    socket.setSoTimeout(3000);
    return socket;
  }

  private static void sendIndication(StunClient client, InetSocketAddress peer, String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    client.sendRaw(StunClient.build(Method.SEND, MessageClass.INDICATION, StunClient.newTransactionId(), w -> {
      XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peer);
      Data.write(w, Unpooled.wrappedBuffer(payload), 0, payload.length);
    }));
  }

  private static byte[] channelData(int channel, String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    io.netty.buffer.ByteBuf out = Unpooled.buffer();
    ChannelData.writeHeader(out, channel, payload.length);
    out.writeBytes(payload);
    return io.netty.buffer.ByteBufUtil.getBytes(out);
  }

  /** The peer got {@code text}, sent from {@code relayed} (the relayed address of the peer's family). */
  private static void assertReceived(DatagramSocket peer, InetSocketAddress relayed, String text) throws Exception {
    DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
    try {
      peer.receive(packet);
    } catch (SocketTimeoutException e) {
      fail("the peer at " + peer.getLocalSocketAddress() + " got nothing");
    }
    assertEquals(relayed, packet.getSocketAddress(), "sent from the relayed address of the peer's family");
    assertEquals(text, new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
  }

  private static void reply(DatagramSocket peer, InetSocketAddress relayed, String text) throws Exception {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    peer.send(new DatagramPacket(payload, payload.length, relayed));
  }

  private static void assertDataIndication(byte[] datagram, InetSocketAddress peer, String text) {
    assertNotNull(datagram, "nothing reached the client");
    StunMessage data = StunMessage.decode(Unpooled.wrappedBuffer(datagram));
    assertTrue(data.is(Method.DATA, MessageClass.INDICATION));
    assertEquals(peer, XorAddress.read(data, AttributeType.XOR_PEER_ADDRESS));
    int index = Data.find(data);
    byte[] payload = Arrays.copyOfRange(datagram, data.valueOffset(index), data.valueOffset(index)
      + data.valueLength(index));
    assertEquals(text, new String(payload, StandardCharsets.UTF_8));
  }

  /** Waits (bounded) until {@code relayed}'s port can be bound again: its relay socket closed, its port given back. */
  static void awaitBindable(InetSocketAddress relayed) throws InterruptedException {
    long deadline = System.nanoTime() + 3_000_000_000L;
    while (true) {
      try {
        new DatagramSocket(relayed).close();
        return;
      } catch (SocketException busy) {
        if (System.nanoTime() > deadline) {
          fail("relay port " + relayed + " still bound");
        }
        Thread.sleep(20);
      }
    }
  }
}
