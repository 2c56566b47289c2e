package io.switchboard.relay.it;

import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.StreamStunClient;
import io.switchboard.testing.StunClient;
import io.switchboard.testing.TestCertificates;
import io.switchboard.tls.PemMaterial;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * relay.tls certificate renewal: the files are replaced (atomically, as cert-manager or an ACME client would) with a
 * new pair from the same CA while a TURN/TLS allocation is open. New connections get the new certificate (told by the
 * SHA-256 fingerprint of what they are shown); the open allocation keeps its connection and keeps relaying.
 */
@DisplayName("relay: TURN/TLS certificate reload")
@Timeout(90)
class StreamTlsReloadTest {

  private static final int CHANNEL = 0x4002;

  private static String fingerprint(Path certFile) throws Exception {
    return PemMaterial.fingerprint(PemMaterial.certificates(certFile.toString(), Files.readAllBytes(certFile)).get(0));
  }

  private static void replace(Path source, Path target) throws Exception {
    Path next = target.resolveSibling(target.getFileName() + ".next");
    Files.copy(source, next, StandardCopyOption.REPLACE_EXISTING);
    Files.move(next, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  @DisplayName("new handshakes see the renewed certificate; an open allocation keeps relaying on its connection")
  void reload() throws Exception {
    TestCertificates ca = TestCertificates.newAuthority("turn-reload");
    TestCertificates.Member first = ca.member("localhost");
    TestCertificates.Member second = ca.member("turn.localhost");
    Path dir = Files.createTempDirectory("switchboard-turn-tls-");
    Path cert = dir.resolve("turn.pem");
    Path key = dir.resolve("turn.key");
    Files.copy(first.cert(), cert);
    Files.copy(first.key(), key);
    String firstPrint = fingerprint(first.cert());
    String secondPrint = fingerprint(second.cert());
    assertNotEquals(firstPrint, secondPrint);

    try (RelayTestNode node = RelayTestNode.startWithStreams(new JsonObject().put("tls", new JsonObject()
           .put("reloadSeconds", 1)), new TestCertificates.Member(cert, key, first.ca()));
         DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
         StreamStunClient open = StreamStunClient.tls(node.tlsPort())
           .credentials(RelayTestNode.STATIC_USER, RelayTestNode.STATIC_PASSWORD)) {
      peer.setSoTimeout(3000);
      assertEquals(firstPrint, PemMaterial.fingerprint(open.peerCertificate()));
      StunClient.Response allocated = open.request(Method.ALLOCATE,
        w -> RequestedTransport.write(w, RequestedTransport.UDP));
      assertEquals(0, allocated.errorCode());
      assertEquals(0, open.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, CHANNEL);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, (InetSocketAddress) peer.getLocalSocketAddress());
      }).errorCode());
      relays(open, peer, allocated.relayed(), "before the renewal");

      replace(second.key(), key);
      replace(second.cert(), cert);
      String seen = firstPrint;
      long deadline = System.currentTimeMillis() + 15_000;
      while (!seen.equals(secondPrint) && System.currentTimeMillis() < deadline) {
        Thread.sleep(300);
        try (StreamStunClient fresh = StreamStunClient.tls(node.tlsPort())) {
          X509Certificate shown = fresh.peerCertificate();
          seen = PemMaterial.fingerprint(shown);
        }
      }
      assertEquals(secondPrint, seen, "a new connection is shown the renewed certificate");
      assertEquals(firstPrint, PemMaterial.fingerprint(open.peerCertificate()), "the open one keeps its own");
      relays(open, peer, allocated.relayed(), "after the renewal");
      assertEquals(1.0, node.metric("switchboard_turn_stream_connections{transport=\"tls\"}"));
    }
  }

  private static void relays(StreamStunClient client, DatagramSocket peer, InetSocketAddress relayed, String what)
    throws Exception {
    byte[] out = ("out " + what).getBytes(StandardCharsets.UTF_8);
    client.sendChannelData(CHANNEL, out);
    DatagramPacket received = new DatagramPacket(new byte[2048], 2048);
    peer.receive(received);
    assertArrayEquals(out, Arrays.copyOf(received.getData(), received.getLength()), what);
    byte[] back = ("back " + what).getBytes(StandardCharsets.UTF_8);
    peer.send(new DatagramPacket(back, back.length, relayed));
    byte[] message = client.receive();
    assertTrue(message != null && (message[0] & 0xC0) == 0x40, what + ": ChannelData back");
    assertEquals(CHANNEL, ByteBuffer.wrap(message).getShort() & 0xFFFF);
    assertArrayEquals(back, Arrays.copyOfRange(message, 4, message.length), what);
  }
}
