package io.switchboard.relay.it;

import io.netty.buffer.Unpooled;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.Data;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.Http;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.StunClient;
import io.switchboard.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code relay.externalAddress} (docs/configuration.md, docs/relay.md "Public address"): the public IP written into
 * XOR-RELAYED-ADDRESS, while the relay socket stays bound on {@code relay.relayHost}; XOR-MAPPED-ADDRESS stays the
 * client's own address; {@code iceServers} name it when {@code relay.publicHost} is empty. The external address is
 * a documentation address (TEST-NET-3): only ever configured and compared, never sent to.
 */
@DisplayName("relay: relay.externalAddress on the wire")
@Timeout(60)
class ExternalAddressTest {

  private static final String EXTERNAL = "203.0.113.10";

  private static RelayTestNode node;

  @BeforeAll
  static void start() {
    node = RelayTestNode.start(new JsonObject().put("externalAddress", EXTERNAL));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  @DisplayName("Allocate: XOR-RELAYED-ADDRESS holds the external IP and the relay port; data flows on the bound port")
  void relayedAddressIsExternal() throws Exception {
    String username = RelayTestNode.restUsername("external", 3600);
    try (StunClient client = new StunClient(node.relayPort()).credentials(username,
           RelayTestNode.restPassword(username));
         DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      StunClient.Response allocated = client.request(Method.ALLOCATE,
        w -> RequestedTransport.write(w, RequestedTransport.UDP));
      assertEquals(0, allocated.errorCode());
      InetSocketAddress relayed = allocated.relayed();
      assertEquals(InetAddress.getByName(EXTERNAL), relayed.getAddress());
      assertTrue(relayed.getPort() >= node.minPort() && relayed.getPort() <= node.maxPort(), relayed.toString());
      assertEquals(client.localAddress(), allocated.address(AttributeType.XOR_MAPPED_ADDRESS),
        "XOR-MAPPED-ADDRESS is the client's address as the relay sees it, not the external one");

      // behind the NAT the relay socket listens on relay.relayHost (here 127.0.0.1) with the advertised port
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
      assertEquals(0, client.request(Method.CREATE_PERMISSION,
        w -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peerAddress)).errorCode());
      byte[] hello = "through the NAT".getBytes(StandardCharsets.UTF_8);
      peer.send(new DatagramPacket(hello, hello.length,
        new InetSocketAddress(InetAddress.getLoopbackAddress(), relayed.getPort())));
      byte[] datagram = client.receive();
      assertNotNull(datagram, "the peer's datagram to the bound relay port reached the client");
      StunMessage data = StunMessage.decode(Unpooled.wrappedBuffer(datagram));
      assertTrue(data.is(Method.DATA, MessageClass.INDICATION));
      assertEquals(peerAddress, XorAddress.read(data, AttributeType.XOR_PEER_ADDRESS));
      int index = Data.find(data);
      assertEquals("through the NAT", data.buffer().toString(data.valueOffset(index), data.valueLength(index),
        StandardCharsets.UTF_8));
    }
  }

  @Test
  @DisplayName("iceServers: with relay.publicHost empty, the stun: and turn: URLs name the external address")
  void iceServersNameExternalAddress() {
    String token = node.node().token("external-ice", TestNode.unique("room"));
    Http.Response response = Http.get(node.httpPort(), "/api/ice-servers", token);
    assertEquals(200, response.status());
    JsonArray servers = response.json().getJsonArray("iceServers");
    assertEquals("stun:" + EXTERNAL + ":" + node.relayPort(),
      servers.getJsonObject(0).getJsonArray("urls").getString(0));
    assertEquals("turn:" + EXTERNAL + ":" + node.relayPort() + "?transport=udp",
      servers.getJsonObject(1).getJsonArray("urls").getString(0));
  }
}
