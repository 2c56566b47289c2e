package io.switchboard.relay.it;

import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Data;
import io.switchboard.relay.proto.Fingerprint;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.LongTermKey;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageIntegrity;
import io.switchboard.relay.proto.MessageIntegritySha256;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.Nonce;
import io.switchboard.relay.proto.PasswordAlgorithm;
import io.switchboard.relay.proto.PasswordAlgorithms;
import io.switchboard.relay.proto.Realm;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.Software;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.UnknownAttributes;
import io.switchboard.relay.proto.Username;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.StunClient;
import io.vertx.core.json.JsonObject;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay over real UDP sockets on loopback: STUN, TURN requests, authentication and both relay directions. */
@DisplayName("relay: STUN and TURN over UDP")
@Timeout(60)
class RelayProtocolTest {

  private static RelayTestNode node;

  @BeforeAll
  static void start() {
    // a generous unauthenticated budget: every client in this class starts with a 401 from 127.0.0.1
    node = RelayTestNode.start(new JsonObject().put("unauthorizedBurst", 100_000)
      .put("unauthorizedPerSecond", 100_000));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static StunClient restClient(String identity) {
    String username = RelayTestNode.restUsername(identity, 3600);
    return new StunClient(node.relayPort()).credentials(username, RelayTestNode.restPassword(username));
  }

  private static StunClient.Response allocate(StunClient client) {
    return client.request(Method.ALLOCATE, w -> RequestedTransport.write(w, RequestedTransport.UDP));
  }

  @Test
  @DisplayName("Binding: XOR-MAPPED-ADDRESS is the client's address; SOFTWARE and a valid FINGERPRINT")
  void binding() {
    try (StunClient client = new StunClient(node.relayPort())) {
      StunClient.Response response = client.send(StunClient.build(Method.BINDING, MessageClass.REQUEST,
        StunClient.newTransactionId(), w -> { }));
      StunMessage m = response.message();
      assertTrue(m.is(Method.BINDING, MessageClass.SUCCESS));
      assertEquals(client.localAddress(), XorAddress.read(m, AttributeType.XOR_MAPPED_ADDRESS));
      assertEquals("Switchboard", Software.read(m));
      assertTrue(Fingerprint.verify(m));
    }
  }

  @Test
  @DisplayName("an unknown comprehension-required attribute gets 420 listing it; an optional one is ignored")
  void unknownAttribute() {
    try (StunClient client = new StunClient(node.relayPort())) {
      StunClient.Response response = client.send(StunClient.build(Method.BINDING, MessageClass.REQUEST,
        StunClient.newTransactionId(), w -> {
          w.attribute(0x7ABC, new byte[4]);
          w.attribute(0x802F, "https://example.org".getBytes(StandardCharsets.UTF_8));
        }));
      assertEquals(420, response.errorCode());
      assertArrayEquals(new int[]{0x7ABC}, UnknownAttributes.read(response.message()));
    }
  }

  @Test
  @DisplayName("Allocate without credentials: a small 401 with REALM, a stateless NONCE and PASSWORD-ALGORITHMS")
  void challenge() {
    try (StunClient client = new StunClient(node.relayPort())) {
      byte[] request = StunClient.build(Method.ALLOCATE, MessageClass.REQUEST, StunClient.newTransactionId(),
        w -> RequestedTransport.write(w, RequestedTransport.UDP));
      StunClient.Response response = client.send(request);
      assertEquals(401, response.errorCode());
      assertEquals(RelayTestNode.REALM, response.realm());
      assertTrue(response.nonce().startsWith("obMatJos2"), response.nonce());
      assertEquals(java.util.List.of(PasswordAlgorithm.MD5, PasswordAlgorithm.SHA256),
        PasswordAlgorithms.read(response.message()));
      assertNull(Software.read(response.message()), "no SOFTWARE to unauthenticated clients");
      assertTrue(response.bytes().length <= 160, "401 of " + response.bytes().length + " bytes to a "
        + request.length + "-byte request");
    }
  }

  @Test
  @DisplayName("Allocate with REST credentials: relayed address in the range, LIFETIME 600, signed with the key")
  void allocateRest() {
    try (StunClient client = restClient("alloc")) {
      StunClient.Response response = allocate(client);
      assertEquals(0, response.errorCode());
      StunMessage m = response.message();
      InetSocketAddress relayed = response.relayed();
      assertEquals(InetAddress.getLoopbackAddress(), relayed.getAddress());
      assertTrue(relayed.getPort() >= node.minPort() && relayed.getPort() <= node.maxPort(), relayed.toString());
      assertEquals(600, Lifetime.read(m));
      assertEquals(client.localAddress(), XorAddress.read(m, AttributeType.XOR_MAPPED_ADDRESS));
      assertTrue(MessageIntegrity.verify(m, client.key()));
      assertTrue(Fingerprint.verify(m));
    }
  }

  @Test
  @DisplayName("a retransmitted Allocate gets the same answer; another Allocate on the same five-tuple gets 437")
  void retransmissionAndMismatch() {
    try (StunClient client = restClient("retransmit")) {
      StunClient.Response first = allocate(client);
      assertEquals(0, first.errorCode());
      byte[] tx = Arrays.copyOfRange(first.bytes(), 8, 20);
      byte[] again = client.signed(Method.ALLOCATE, tx, w -> RequestedTransport.write(w, RequestedTransport.UDP));
      assertArrayEquals(first.bytes(), client.send(again).bytes());
      assertEquals(437, allocate(client).errorCode());
    }
  }

  @Test
  @DisplayName("wrong password 401; unknown user 401; nonce never issued 438; nonce issued to another address 438")
  void authenticationFailures() {
    String username = RelayTestNode.restUsername("mallory", 3600);
    try (StunClient client = new StunClient(node.relayPort()).credentials(username, "not-the-password")) {
      assertEquals(401, allocate(client).errorCode());
    }
    try (StunClient client = new StunClient(node.relayPort()).credentials("nobody", "whatever-password")) {
      assertEquals(401, allocate(client).errorCode());
    }
    try (StunClient a = restClient("nonce-a"); StunClient b = restClient("nonce-b")) {
      assertEquals(0, allocate(a).errorCode());
      byte[] withForeignNonce = StunClient.build(Method.ALLOCATE, MessageClass.REQUEST, StunClient.newTransactionId(),
        w -> {
          RequestedTransport.write(w, RequestedTransport.UDP);
          Username.write(w, "x:y");
          Realm.write(w, RelayTestNode.REALM);
          Nonce.write(w, a.nonce());
          w.integrity(new byte[16]);
        });
      StunClient.Response stale = b.send(withForeignNonce);
      assertEquals(438, stale.errorCode(), "a nonce is bound to the address it was issued to");
      assertNotNull(stale.nonce());
      byte[] madeUp = StunClient.build(Method.ALLOCATE, MessageClass.REQUEST, StunClient.newTransactionId(), w -> {
        RequestedTransport.write(w, RequestedTransport.UDP);
        Username.write(w, "x:y");
        Realm.write(w, RelayTestNode.REALM);
        Nonce.write(w, "obMatJos2gAAA00000000000000000000000000000000");
        w.integrity(new byte[16]);
      });
      assertEquals(438, b.send(madeUp).errorCode());
    }
  }

  @Test
  @DisplayName("an expired REST credential opens no allocation (401)")
  void expiredCredential() {
    String username = RelayTestNode.restUsername("late", -5);
    try (StunClient client = new StunClient(node.relayPort())
      .credentials(username, RelayTestNode.restPassword(username))) {
      assertEquals(401, allocate(client).errorCode());
    }
  }

  @Test
  @DisplayName("a static user from relay.staticUsers can allocate")
  void staticUser() {
    try (StunClient client = new StunClient(node.relayPort())
      .credentials(RelayTestNode.STATIC_USER, RelayTestNode.STATIC_PASSWORD)) {
      assertEquals(0, allocate(client).errorCode());
    }
  }

  @Test
  @DisplayName("SHA-256: PASSWORD-ALGORITHMS echoed, PASSWORD-ALGORITHM SHA-256, MESSAGE-INTEGRITY-SHA256 both ways")
  void sha256() {
    String username = RelayTestNode.restUsername("sha", 3600);
    String password = RelayTestNode.restPassword(username);
    try (StunClient client = new StunClient(node.relayPort()).credentials(username, password)) {
      StunClient.Response challenge = client.send(StunClient.build(Method.ALLOCATE, MessageClass.REQUEST,
        StunClient.newTransactionId(), w -> RequestedTransport.write(w, RequestedTransport.UDP)));
      byte[] key = LongTermKey.sha256(username, challenge.realm(), password);
      byte[] request = StunClient.build(Method.ALLOCATE, MessageClass.REQUEST, StunClient.newTransactionId(), w -> {
        RequestedTransport.write(w, RequestedTransport.UDP);
        Username.write(w, username);
        Realm.write(w, challenge.realm());
        Nonce.write(w, challenge.nonce());
        PasswordAlgorithms.write(w, new int[]{PasswordAlgorithm.MD5, PasswordAlgorithm.SHA256});
        PasswordAlgorithm.write(w, PasswordAlgorithm.SHA256);
        w.integritySha256(key);
        w.fingerprint();
      });
      StunClient.Response response = client.send(request);
      assertEquals(0, response.errorCode());
      assertTrue(MessageIntegritySha256.verify(response.message(), key));
    }
  }

  @Test
  @DisplayName("REQUESTED-TRANSPORT missing 400, TCP 442")
  void requestedTransport() {
    try (StunClient client = restClient("transport")) {
      assertEquals(400, client.request(Method.ALLOCATE, w -> { }).errorCode());
      assertEquals(442, client.request(Method.ALLOCATE, w -> RequestedTransport.write(w, 6)).errorCode());
    }
  }

  @Test
  @DisplayName("Refresh LIFETIME 0 deletes; afterwards Refresh and CreatePermission get 437")
  void refreshDeletes() {
    try (StunClient client = restClient("refresh")) {
      assertEquals(0, allocate(client).errorCode());
      StunClient.Response longer = client.request(Method.REFRESH, w -> Lifetime.write(w, 1200));
      assertEquals(0, longer.errorCode());
      assertEquals(1200, Lifetime.read(longer.message()));
      StunClient.Response capped = client.request(Method.REFRESH, w -> Lifetime.write(w, 99_999));
      assertEquals(3600, Lifetime.read(capped.message()), "capped at relay.maxLifetimeSeconds");
      StunClient.Response deleted = client.request(Method.REFRESH, w -> Lifetime.write(w, 0));
      assertEquals(0, deleted.errorCode());
      assertEquals(0, Lifetime.read(deleted.message()));
      assertEquals(437, client.request(Method.REFRESH, w -> Lifetime.write(w, 600)).errorCode());
      assertEquals(437, client.request(Method.CREATE_PERMISSION, w -> XorAddress.write(w,
        AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.1", 9))).errorCode());
    }
  }

  @Test
  @DisplayName("another user on an existing allocation's five-tuple gets 441")
  void wrongCredentials() {
    try (StunClient client = restClient("owner")) {
      assertEquals(0, allocate(client).errorCode());
      String other = RelayTestNode.restUsername("intruder", 3600);
      client.credentials(other, RelayTestNode.restPassword(other));
      assertEquals(441, client.request(Method.REFRESH, w -> Lifetime.write(w, 600)).errorCode());
    }
  }

  @Test
  @DisplayName("ChannelBind: a number outside the range or a missing peer is 400; rebinding to another peer is 400")
  void channelBindErrors() {
    try (StunClient client = restClient("channels")) {
      assertEquals(0, allocate(client).errorCode());
      InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 9);
      assertEquals(400, client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, 0x3FFF);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peer);
      }).errorCode());
      assertEquals(400, client.request(Method.CHANNEL_BIND, w -> ChannelNumber.write(w, 0x4001)).errorCode());
      assertEquals(0, client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, 0x4001);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peer);
      }).errorCode());
      assertEquals(400, client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, 0x4001);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.1", 10));
      }).errorCode());
    }
  }

  @Test
  @DisplayName("Send/Data indications and ChannelData carry datagrams both ways between a client and a peer")
  void relaysBothWays() throws Exception {
    try (StunClient client = restClient("data");
         DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      peer.setSoTimeout(3000);
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
      StunClient.Response allocated = allocate(client);
      InetSocketAddress relayed = allocated.relayed();

      // no permission yet: a Send indication is dropped
      client.sendRaw(sendIndication(peerAddress, "early"));
      assertEquals(0, client.request(Method.CREATE_PERMISSION,
        w -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peerAddress)).errorCode());
      // an unknown comprehension-required attribute makes a Send indication be ignored (RFC 8489 6.3.2)
      byte[] early = "with unknown".getBytes(StandardCharsets.UTF_8);
      client.sendRaw(StunClient.build(Method.SEND, MessageClass.INDICATION, StunClient.newTransactionId(), w -> {
        w.attribute(0x7001, new byte[] {1, 2, 3, 4});
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peerAddress);
        Data.write(w, Unpooled.wrappedBuffer(early), 0, early.length);
      }));
      client.sendRaw(sendIndication(peerAddress, "hello peer"));
      DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
      peer.receive(got);
      assertEquals("hello peer", new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8),
        "the indication with an unknown attribute must not have been relayed");
      assertEquals(relayed, got.getSocketAddress(), "the peer sees the relayed address");

      byte[] back = "hello client".getBytes(StandardCharsets.UTF_8);
      peer.send(new DatagramPacket(back, back.length, relayed));
      StunMessage data = StunMessage.decode(Unpooled.wrappedBuffer(client.receive()));
      assertTrue(data.is(Method.DATA, MessageClass.INDICATION));
      assertEquals(peerAddress, XorAddress.read(data, AttributeType.XOR_PEER_ADDRESS));
      int index = Data.find(data);
      assertEquals("hello client", data.buffer().toString(data.valueOffset(index), data.valueLength(index),
        StandardCharsets.UTF_8));

      assertEquals(0, client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, 0x4abc);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peerAddress);
      }).errorCode());
      byte[] payload = "on a channel".getBytes(StandardCharsets.UTF_8);
      byte[] frame = new byte[4 + payload.length + 3]; // padded to 4, as a client may
      frame[0] = 0x4a;
      frame[1] = (byte) 0xbc;
      frame[3] = (byte) payload.length;
      System.arraycopy(payload, 0, frame, 4, payload.length);
      client.sendRaw(Arrays.copyOf(frame, 4 + ((payload.length + 3) & ~3)));
      peer.receive(got);
      assertEquals("on a channel", new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8));

      peer.send(new DatagramPacket(back, back.length, relayed));
      byte[] channelData = client.receive();
      assertEquals(0x4abc, ((channelData[0] & 0xFF) << 8) | (channelData[1] & 0xFF));
      assertEquals(back.length, ((channelData[2] & 0xFF) << 8) | (channelData[3] & 0xFF));
      assertEquals("hello client", new String(channelData, 4, back.length, StandardCharsets.UTF_8));

      // a stranger without a permission cannot reach the client through the relay
      try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
        stranger.send(new DatagramPacket(back, back.length, relayed));
      }
      assertNull(client.receive(300), "datagram from a peer without a permission must be dropped");
    }
  }

  static byte[] sendIndication(InetSocketAddress peer, String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    return StunClient.build(Method.SEND, MessageClass.INDICATION, StunClient.newTransactionId(), w -> {
      XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peer);
      Data.write(w, Unpooled.wrappedBuffer(payload), 0, payload.length);
    });
  }
}
