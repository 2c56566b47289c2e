package io.switchboard.relay.it;

import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.StunClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two relay verticles share the port with SO_REUSEPORT (native epoll): every client's allocation works. */
@DisplayName("relay: two instances on one port (SO_REUSEPORT)")
@Timeout(60)
class ReusePortTest {

  @Test
  void twoInstances() throws Exception {
    try (RelayTestNode node = RelayTestNode.start(new JsonObject().put("instances", 2));
         DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      assertTrue(node.node().node().vertx().isNativeTransportEnabled(), "the node runs on native epoll");
      peer.setSoTimeout(3000);
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
      List<StunClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          String username = RelayTestNode.restUsername("reuse-" + i, 3600);
          StunClient client = new StunClient(node.relayPort()).credentials(username,
            RelayTestNode.restPassword(username));
          clients.add(client);
          assertEquals(0, client.request(Method.ALLOCATE,
            w -> RequestedTransport.write(w, RequestedTransport.UDP)).errorCode());
          assertEquals(0, client.request(Method.CHANNEL_BIND, w -> {
            ChannelNumber.write(w, 0x4000);
            XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peerAddress);
          }).errorCode());
        }
        for (int i = 0; i < clients.size(); i++) {
          byte[] text = ("client " + i).getBytes(StandardCharsets.UTF_8);
          byte[] frame = new byte[4 + text.length];
          frame[0] = 0x40;
          frame[3] = (byte) text.length;
          System.arraycopy(text, 0, frame, 4, text.length);
          clients.get(i).sendRaw(frame);
          DatagramPacket got = new DatagramPacket(new byte[256], 256);
          peer.receive(got);
          assertEquals("client " + i, new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8));
          // and back, through the same allocation, on whichever instance owns it
          peer.send(new DatagramPacket(text, text.length, got.getSocketAddress()));
          byte[] back = clients.get(i).receive();
          assertEquals("client " + i, new String(back, 4, back.length - 4, StandardCharsets.UTF_8));
        }
      } finally {
        clients.forEach(StunClient::close);
      }
      assertEquals(8, node.metric("switchboard_turn_allocations_active"));
    }
  }
}
