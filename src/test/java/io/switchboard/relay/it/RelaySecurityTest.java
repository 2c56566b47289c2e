package io.switchboard.relay.it;

import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Data;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.Http;
import io.switchboard.testing.ManualClock;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.StunClient;
import io.switchboard.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Secure defaults: peer policy, quotas, the unauthenticated budget, bandwidth cap, hostile datagrams. */
@DisplayName("relay: security by default")
@Timeout(90)
class RelaySecurityTest {

  private static StunClient restClient(RelayTestNode node, String identity) {
    String username = RelayTestNode.restUsername(identity, 3600);
    return new StunClient(node.relayPort()).credentials(username, RelayTestNode.restPassword(username));
  }

  private static int allocate(StunClient client) {
    return client.request(Method.ALLOCATE, w -> RequestedTransport.write(w, RequestedTransport.UDP)).errorCode();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"127.0.0.1", "::1", "::ffff:127.0.0.1", "0.0.0.0", "169.254.169.254", "10.1.2.3",
    "192.168.1.1", "172.16.0.1", "100.64.0.1", "224.0.0.1", "255.255.255.255", "fd00::1", "fe80::1",
    "64:ff9b::a01:203", "2002:7f00:1::1", "192.0.2.1", "198.51.100.7", "203.0.113.9", "192.88.99.1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:db8::1"})
  @DisplayName("under the default policy CreatePermission to an internal address is refused with 403")
  void defaultPolicyRefuses(String address) throws Exception {
    try (RelayTestNode node = RelayTestNode.start(new JsonObject(), false);
         StunClient client = restClient(node, "policy")) {
      assertEquals(0, allocate(client));
      InetSocketAddress target = new InetSocketAddress(onTheWire(address), 4000);
      int code = client.request(Method.CREATE_PERMISSION,
        w -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, target)).errorCode();
      assertEquals(403, code, address + " (policy before family: refused whatever the relay's family)");
      assertEquals(403, client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, 0x4000);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.1", 4000));
      }).errorCode(), "ChannelBind to loopback");
      assertTrue(node.metric("switchboard_turn_peers_refused_total") >= 1);
      // Send to loopback is dropped and counted
      client.sendRaw(RelayProtocolTest.sendIndication(new InetSocketAddress("127.0.0.1", 4000), "x"));
      double refused = io.switchboard.testing.Metrics.awaitValue(
        () -> node.metric("switchboard_turn_dropped_total{reason=\"peer_refused\"}"), 1, 3000);
      assertEquals(1, refused);
    }
  }

  /**
   * The address as written: Java turns {@code ::ffff:a.b.c.d} into an IPv4 address, so the IPv4-mapped form is
   * built as a real 16-byte IPv6 address to reach the relay in that form.
   */
  private static InetAddress onTheWire(String address) throws Exception {
    InetAddress parsed = InetAddress.getByName(address);
    if (address.startsWith("::ffff:")) {
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(parsed.getAddress(), 0, mapped, 12, 4);
      java.net.Inet6Address v6 = java.net.Inet6Address.getByAddress(null, mapped, -1);
      assertEquals(16, v6.getAddress().length);
      return v6;
    }
    return parsed;
  }

  @Test
  @DisplayName("quotas: per user, then in total, answered with 486")
  void quotas() throws Exception {
    try (RelayTestNode node = RelayTestNode.start(new JsonObject().put("maxAllocationsPerUser", 2)
      .put("maxAllocations", 3))) {
      String username = RelayTestNode.restUsername("quota", 3600);
      String other = RelayTestNode.restUsername("quota-other", 3600);
      List<StunClient> clients = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          clients.add(new StunClient(node.relayPort()).credentials(username, RelayTestNode.restPassword(username)));
        }
        for (int i = 0; i < 2; i++) {
          clients.add(new StunClient(node.relayPort()).credentials(other, RelayTestNode.restPassword(other)));
        }
        assertEquals(0, allocate(clients.get(0)));
        assertEquals(0, allocate(clients.get(1)));
        assertEquals(486, allocate(clients.get(2)), "third allocation of one user");
        assertEquals(0, allocate(clients.get(3)));
        assertEquals(486, allocate(clients.get(4)), "fourth allocation in total");
        // deleting one frees a slot
        assertEquals(0, clients.get(0).request(Method.REFRESH,
          w -> io.switchboard.relay.proto.Lifetime.write(w, 0)).errorCode());
        assertEquals(0, allocate(clients.get(4)));
      } finally {
        clients.forEach(StunClient::close);
      }
    }
  }

  @Test
  @DisplayName("the per-user quota counts the identity: freshly minted REST usernames of one participant share it")
  void quotaByIdentity() throws Exception {
    try (RelayTestNode node = RelayTestNode.start(new JsonObject().put("maxAllocationsPerUser", 2))) {
      List<StunClient> clients = new java.util.ArrayList<>();
      try {
        // what three welcomes (or /api/ice-servers calls) hand one participant: three names, one identity
        for (int i = 0; i < 3; i++) {
          String username = RelayTestNode.restUsername("mallory", 3600 + i);
          clients.add(new StunClient(node.relayPort()).credentials(username, RelayTestNode.restPassword(username)));
        }
        String someoneElse = RelayTestNode.restUsername("alice", 3600);
        clients.add(new StunClient(node.relayPort()).credentials(someoneElse, RelayTestNode.restPassword(someoneElse)));
        assertEquals(0, allocate(clients.get(0)));
        assertEquals(0, allocate(clients.get(1)));
        assertEquals(486, allocate(clients.get(2)), "a third name of the same identity");
        assertEquals(0, allocate(clients.get(3)), "another identity is not affected");
      } finally {
        clients.forEach(StunClient::close);
      }
    }
  }

  @Test
  @DisplayName("a port held for a RESERVATION-TOKEN counts against its owner's quota until it is taken")
  void reservationsCount() throws Exception {
    try (RelayTestNode node = RelayTestNode.start(new JsonObject().put("maxAllocationsPerUser", 2))) {
      String username = RelayTestNode.restUsername("reserver", 3600);
      List<StunClient> clients = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          clients.add(new StunClient(node.relayPort()).credentials(username, RelayTestNode.restPassword(username)));
        }
        StunClient.Response reserved = clients.get(0).request(Method.ALLOCATE, w -> {
          RequestedTransport.write(w, RequestedTransport.UDP);
          io.switchboard.relay.proto.EvenPort.write(w, true);
        });
        assertEquals(0, reserved.errorCode());
        Long token = io.switchboard.relay.proto.ReservationToken.read(reserved.message());
        assertNotNull(token, "an even port with the next one held");
        assertEquals(486, allocate(clients.get(1)), "allocation + held port = the quota of 2");
        // the token's Allocate takes the held port: the reservation's unit goes, the new allocation's comes
        StunClient.Response taken = clients.get(2).request(Method.ALLOCATE, w -> {
          RequestedTransport.write(w, RequestedTransport.UDP);
          io.switchboard.relay.proto.ReservationToken.write(w, token);
        });
        assertEquals(0, taken.errorCode());
        assertEquals(reserved.relayed().getPort() + 1, taken.relayed().getPort());
        assertEquals(486, allocate(clients.get(1)), "still two units: two allocations");
      } finally {
        clients.forEach(StunClient::close);
      }
    }
  }

  @Test
  @DisplayName("a FINGERPRINT that does not match discards the message unanswered (RFC 8489 section 7.3)")
  void fingerprintVerified() throws Exception {
    try (RelayTestNode node = RelayTestNode.start(new JsonObject());
         StunClient client = restClient(node, "fingerprint")) {
      byte[] binding = StunClient.build(Method.BINDING, MessageClass.REQUEST, StunClient.newTransactionId(),
        io.switchboard.relay.proto.MessageWriter::fingerprint);
      byte[] corrupted = binding.clone();
      corrupted[corrupted.length - 1] ^= 0x01;
      client.sendRaw(corrupted);
      assertNull(client.receive(500), "a Binding with a wrong FINGERPRINT is not answered");
      assertEquals(0, client.send(binding).errorCode(), "the same Binding with the right one is");

      assertEquals(0, allocate(client)); // learns realm and nonce
      byte[] refresh = client.signed(Method.REFRESH, StunClient.newTransactionId(),
        w -> io.switchboard.relay.proto.Lifetime.write(w, 0));
      refresh[refresh.length - 1] ^= 0x01; // integrity intact, fingerprint wrong: must not delete the allocation
      client.sendRaw(refresh);
      assertNull(client.receive(500));
      assertEquals(1.0, node.metric("switchboard_turn_allocations_active"), "the allocation is still there");
      assertEquals(2.0, node.metric("switchboard_turn_dropped_total{reason=\"bad_fingerprint\"}"));
    }
  }

  @Test
  @DisplayName("the node's own listeners are refused as peers even with loopback allowed; "
    + "other relayed addresses are fine")
  void ownServiceEndpoints() throws Exception {
    try (RelayTestNode node = RelayTestNode.start(new JsonObject());
         StunClient alice = restClient(node, "own-a");
         StunClient bob = restClient(node, "own-b")) {
      StunClient.Response aliceAllocated = alice.request(Method.ALLOCATE,
        w -> RequestedTransport.write(w, RequestedTransport.UDP));
      assertEquals(0, aliceAllocated.errorCode());
      InetSocketAddress relayListener = new InetSocketAddress("127.0.0.1", node.relayPort());
      InetSocketAddress http = new InetSocketAddress("127.0.0.1", node.httpPort());
      int channel = 0x4000;
      for (InetSocketAddress service : List.of(relayListener, http)) {
        int number = channel++;
        assertEquals(403, alice.request(Method.CHANNEL_BIND, w -> {
          ChannelNumber.write(w, number);
          XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, service);
        }).errorCode(), "ChannelBind to " + service);
      }
      // a permission is per address, so 127.0.0.1 gets one; a Send to the HTTP port is still dropped
      assertEquals(0, alice.request(Method.CREATE_PERMISSION,
        w -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, http)).errorCode());
      double refusedBefore = node.metric("switchboard_turn_dropped_total{reason=\"peer_refused\"}");
      alice.sendRaw(RelayProtocolTest.sendIndication(http, "GET / HTTP/1.1"));
      assertEquals(refusedBefore + 1, Metrics.awaitValue(
        () -> node.metric("switchboard_turn_dropped_total{reason=\"peer_refused\"}"), refusedBefore + 1, 2000));

      // two clients of the same relay talk through each other's relayed addresses: the common case stays open
      StunClient.Response bobAllocated = bob.request(Method.ALLOCATE,
        w -> RequestedTransport.write(w, RequestedTransport.UDP));
      assertEquals(0, bobAllocated.errorCode());
      InetSocketAddress bobRelayed = bobAllocated.relayed();
      assertEquals(0, alice.request(Method.CREATE_PERMISSION,
        w -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, bobRelayed)).errorCode());
      assertEquals(0, bob.request(Method.CREATE_PERMISSION,
        w -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, aliceAllocated.relayed())).errorCode());
      alice.sendRaw(RelayProtocolTest.sendIndication(bobRelayed, "hello bob"));
      StunMessage data = StunMessage.decode(io.netty.buffer.Unpooled.wrappedBuffer(bob.receive()));
      assertTrue(data.is(Method.DATA, MessageClass.INDICATION));
      int index = Data.find(data);
      assertEquals("hello bob", data.buffer().toString(data.valueOffset(index), data.valueLength(index),
        java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Test
  @DisplayName("answers to unauthenticated requests are budgeted per source address, and stay small")
  void unauthenticatedBudget() throws Exception {
    try (RelayTestNode node = RelayTestNode.start(new JsonObject().put("unauthorizedBurst", 5)
      .put("unauthorizedPerSecond", 1));
         StunClient client = new StunClient(node.relayPort())) {
      int answered = 0;
      for (int i = 0; i < 30; i++) {
        byte[] request = StunClient.build(Method.ALLOCATE, MessageClass.REQUEST, StunClient.newTransactionId(),
          w -> RequestedTransport.write(w, RequestedTransport.UDP));
        client.sendRaw(request);
      }
      byte[] answer;
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (System.nanoTime() < deadline && (answer = client.receive(500)) != null) {
        answered++;
        assertTrue(answer.length <= 160, "answer of " + answer.length + " bytes");
      }
      assertTrue(answered >= 5 && answered <= 7, "answered " + answered + " of 30");
      assertTrue(node.metric("switchboard_turn_dropped_total{reason=\"unauthenticated_budget\"}") >= 23);
    }
  }

  @Test
  @DisplayName("relay.maxBitsPerSecond caps one allocation: the excess is dropped and counted")
  void bandwidthCap() throws Exception {
    // the relay's clock stands still unless the test moves it: what passes is the burst plus what the test allows
    ManualClock clock = new ManualClock();
    try (RelayTestNode node = RelayTestNode.start(new JsonObject().put("maxBitsPerSecond", 8000), true,
           List.of(TestNode.TURN_KEY), clock);
         StunClient client = restClient(node, "bandwidth");
         DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      assertEquals(0, allocate(client));
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
      assertEquals(0, client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, 0x4000);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peerAddress);
      }).errorCode());
      byte[] frame = new byte[4 + 200];
      frame[0] = 0x40;
      frame[2] = 0;
      frame[3] = (byte) 200;
      peer.setSoTimeout(5000);

      // 8000 bit/s is 1000 bytes/s with one second of burst: five 200-byte datagrams, and not one more
      for (int i = 0; i < 50; i++) {
        client.sendRaw(frame);
      }
      assertRelayed(node, peer, 5, 45, 5);

      // 450 ms later 450 bytes have been earned: two more datagrams
      clock.advance(java.time.Duration.ofMillis(450));
      for (int i = 0; i < 3; i++) {
        client.sendRaw(frame);
      }
      assertRelayed(node, peer, 7, 46, 2);
    }
  }

  /**
   * Waits until the relay has handled every datagram sent so far ({@code relayed} + {@code dropped} of them), then
   * checks both counts and that the peer receives the {@code arriving} relayed since the last call.
   */
  private static void assertRelayed(RelayTestNode node, DatagramSocket peer, int relayed, int dropped, int arriving)
    throws java.io.IOException {
    String droppedSeries = "switchboard_turn_dropped_total{reason=\"bandwidth\"}";
    String relayedSeries = "switchboard_turn_packets_total{direction=\"client_to_peer\"}";
    double handled = Metrics.awaitValue(() -> node.metric(droppedSeries) + node.metric(relayedSeries),
      relayed + dropped, 10_000);
    assertEquals(relayed + dropped, handled, "datagrams the relay handled");
    assertEquals(relayed, node.metric(relayedSeries), "relayed");
    assertEquals(dropped, node.metric(droppedSeries), "dropped for bandwidth");
    for (int received = 0; received < arriving; received++) {
      peer.receive(new DatagramPacket(new byte[2048], 2048));
    }
  }

  /**
   * The {@code i}th datagram of the flood, four kinds in turn: random bytes, {@code valid} with one bit flipped,
   * ChannelData for the victim's channel number (from the wrong address), {@code valid} truncated.
   */
  private static byte[] hostileDatagram(int i, Random random, byte[] valid) {
    switch (i % 4) {
      case 0 -> {
        byte[] datagram = new byte[random.nextInt(120)];
        random.nextBytes(datagram);
        return datagram;
      }
      case 1 -> {
        byte[] datagram = valid.clone();
        datagram[random.nextInt(datagram.length)] ^= (byte) (1 << random.nextInt(8));
        return datagram;
      }
      case 2 -> {
        return new byte[]{0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4};
      }
      default -> {
        return java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
      }
    }
  }

  @Test
  @DisplayName("thousands of hostile datagrams crash nothing and disturb no other allocation")
  void hostileDatagrams() throws Exception {
    try (RelayTestNode node = RelayTestNode.start(new JsonObject().put("unauthorizedBurst", 100_000)
      .put("unauthorizedPerSecond", 100_000));
         StunClient victim = restClient(node, "victim");
         StunClient attacker = new StunClient(node.relayPort());
         DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      assertEquals(0, allocate(victim));
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
      assertEquals(0, victim.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, 0x4000);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peerAddress);
      }).errorCode());
      Random random = new Random(42);
      byte[] valid = StunClient.build(Method.ALLOCATE, MessageClass.REQUEST, StunClient.newTransactionId(),
        w -> RequestedTransport.write(w, RequestedTransport.UDP));
      for (int i = 0; i < 3000; i++) {
        attacker.sendRaw(hostileDatagram(i, random, valid));
      }
      // Binding is still answered; its answer also tells that the relay has worked through the flood (one socket,
      // first in first out), so the kernel's receive buffer has room again for the victim's datagram
      // UDP is lossy under a flood: like a real client, the probe retransmits (RFC 8489: up to 7 times)
      try (StunClient probe = new StunClient(node.relayPort())) {
        byte[] request = StunClient.build(Method.BINDING, MessageClass.REQUEST, StunClient.newTransactionId(),
          w -> { });
        byte[] answer = null;
        for (int attempt = 0; attempt < 7 && answer == null; attempt++) {
          probe.sendRaw(request);
          answer = probe.receive(1000);
        }
        assertNotNull(answer, "Binding answered after the flood");
        assertEquals(0, new StunClient.Response(answer).errorCode());
      }
      // the victim's channel still relays
      byte[] frame = {0x40, 0x00, 0x00, 0x02, 'o', 'k'};
      peer.setSoTimeout(1000);
      DatagramPacket got = new DatagramPacket(new byte[64], 64);
      boolean relayed = false;
      for (int attempt = 0; attempt < 5 && !relayed; attempt++) {
        victim.sendRaw(frame);
        try {
          peer.receive(got);
          relayed = "ok".equals(new String(got.getData(), 0, got.getLength()));
        } catch (java.net.SocketTimeoutException lost) {
          // try again
        }
      }
      assertTrue(relayed, "the victim's channel relays after the flood");
      assertEquals(0, node.metric("switchboard_turn_dropped_total{reason=\"internal_error\"}"),
        "no datagram made a handler throw");
      assertTrue(node.metric("switchboard_turn_dropped_total{reason=\"malformed\"}") > 0);
    }
  }

  @Test
  @DisplayName("iceServers in /api/ice-servers point at the node's own relay, and their credentials allocate")
  void iceServersPointAtOwnRelay() throws Exception {
    try (RelayTestNode node = RelayTestNode.start(new JsonObject())) {
      String token = node.node().token("ice-user", TestNode.unique("room"));
      Http.Response response = Http.get(node.httpPort(), "/api/ice-servers", token);
      assertEquals(200, response.status());
      JsonArray servers = response.json().getJsonArray("iceServers");
      assertEquals("stun:127.0.0.1:" + node.relayPort(), servers.getJsonObject(0).getJsonArray("urls").getString(0));
      JsonObject turn = servers.getJsonObject(1);
      assertEquals("turn:127.0.0.1:" + node.relayPort() + "?transport=udp", turn.getJsonArray("urls").getString(0));
      assertTrue(turn.getString("username").endsWith(":ice-user"));
      try (StunClient client = new StunClient(node.relayPort())
        .credentials(turn.getString("username"), turn.getString("credential"))) {
        assertEquals(0, allocate(client));
        assertNotNull(client.nonce());
      }
    }
  }

  @Test
  @DisplayName("a credential signed with a second (rotated) secret is accepted too")
  void secondSecret() throws Exception {
    String oldSecret = "old-turn-key-0123456789abcdefghijklmnopqrstuvwxyz";
    try (RelayTestNode node = RelayTestNode.start(new JsonObject(), true, List.of(TestNode.TURN_KEY, oldSecret))) {
      String username = RelayTestNode.restUsername("rotated", 3600);
      try (StunClient client = new StunClient(node.relayPort())
        .credentials(username, io.switchboard.ice.IceServers.restCredential(oldSecret, username))) {
        assertEquals(0, allocate(client));
      }
    }
  }
}
