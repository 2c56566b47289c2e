package io.switchboard.relay.it;

import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.Metrics;
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
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two relay verticles share the port with SO_REUSEPORT (native epoll): the kernel spreads the clients over both,
 * all of one client's datagrams reach the same instance, and every client's allocation works on its instance.
 */
@DisplayName("relay: two instances on one port (SO_REUSEPORT)")
@Timeout(120)
class ReusePortTest {

  private static final int INSTANCES = 2;
  private static final int MIN_CLIENTS = 8;
  /** The kernel hashes each client's address: all of 32 clients on one of two instances has a chance of 2^-31. */
  private static final int MAX_CLIENTS = 32;

  @Test
  @DisplayName("both instances read datagrams, each client's on one of them, and every allocation relays")
  void twoInstances() throws Exception {
    try (RelayTestNode node = RelayTestNode.start(new JsonObject().put("instances", INSTANCES));
         DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      assertTrue(node.node().node().vertx().isNativeTransportEnabled(), "the node runs on native epoll");
      peer.setSoTimeout(3000);
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
      List<StunClient> clients = new ArrayList<>();
      Set<Integer> owners = new TreeSet<>();
      try {
        while (clients.size() < MAX_CLIENTS && (clients.size() < MIN_CLIENTS || owners.size() < INSTANCES)) {
          double[] before = listenerDatagrams(node);
          clients.add(allocateAndBind(node, clients.size(), peerAddress));
          owners.add(owner(before, listenerDatagrams(node)));
        }
        assertEquals(Set.of(0, 1), owners, "relay instances that read the datagrams of " + clients.size()
          + " clients");
        for (int i = 0; i < clients.size(); i++) {
          roundTrip(clients.get(i), "client " + i, peer);
        }
      } finally {
        clients.forEach(StunClient::close);
      }
      assertEquals(clients.size(), node.metric("switchboard_turn_allocations_active"));
    }
  }

  /** A client with an allocation and channel 0x4000 bound to {@code peer}. */
  private static StunClient allocateAndBind(RelayTestNode node, int index, InetSocketAddress peer) {
    String username = RelayTestNode.restUsername("reuse-" + index, 3600);
    StunClient client = new StunClient(node.relayPort()).credentials(username, RelayTestNode.restPassword(username));
    assertEquals(0, client.request(Method.ALLOCATE, w -> RequestedTransport.write(w, RequestedTransport.UDP))
      .errorCode());
    assertEquals(0, client.request(Method.CHANNEL_BIND, w -> {
      ChannelNumber.write(w, 0x4000);
      XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peer);
    }).errorCode());
    return client;
  }

  /** ChannelData to the peer, and the peer's answer back through the same allocation, on whichever instance. */
  private static void roundTrip(StunClient client, String message, DatagramSocket peer) throws Exception {
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    byte[] frame = new byte[4 + text.length];
    frame[0] = 0x40;
    frame[3] = (byte) text.length;
    System.arraycopy(text, 0, frame, 4, text.length);
    client.sendRaw(frame);
    DatagramPacket got = new DatagramPacket(new byte[256], 256);
    peer.receive(got);
    assertEquals(message, new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8));
    peer.send(new DatagramPacket(text, text.length, got.getSocketAddress()));
    byte[] back = client.receive();
    assertEquals(message, new String(back, 4, back.length - 4, StandardCharsets.UTF_8));
  }

  /** Datagrams each relay instance has read from the listening port. */
  private static double[] listenerDatagrams(RelayTestNode node) {
    String text = Metrics.scrape(node.httpPort());
    double[] counts = new double[INSTANCES];
    for (int i = 0; i < INSTANCES; i++) {
      counts[i] = Metrics.value(text, "switchboard_turn_listener_datagrams_total{relay_instance=\"" + i + "\"}");
    }
    return counts;
  }

  /** The one instance that read a client's datagrams between the two readings. */
  private static int owner(double[] before, double[] after) {
    List<Integer> grew = new ArrayList<>();
    for (int i = 0; i < INSTANCES; i++) {
      if (after[i] > before[i]) {
        grew.add(i);
      }
    }
    assertEquals(1, grew.size(), () -> "all of a client's datagrams reach one instance; these read some: " + grew);
    return grew.get(0);
  }
}
