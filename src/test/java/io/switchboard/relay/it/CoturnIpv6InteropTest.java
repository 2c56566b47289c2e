package io.switchboard.relay.it;

import io.switchboard.testing.CoturnTools;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.TestPorts;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;


/**
 * coturn's turnutils_uclient against the relay's IPv6 side: IPv6 relayed addresses ({@code -x}), dual allocations
 * ({@code -Z}, ADDITIONAL-ADDRESS-FAMILY), and the IPv6 listener (the relay reached at ::1), with turnutils_peer
 * echoing on ::1 and on 127.0.0.1. As in {@link CoturnInteropTest}, the relay's own packet counters must move by
 * exactly the tool's totals, and a missing tool fails the test (never skipped).
 */
@DisplayName("relay interoperability with coturn's client tools over IPv6")
@Timeout(180)
class CoturnIpv6InteropTest {

  private static final List<String> TOOLS = List.of("turnutils_uclient", "turnutils_peer");

  private static RelayTestNode node;
  private static final List<Process> PEERS = new ArrayList<>();
  private static int peerPort4;
  private static int peerPort6;

  @BeforeAll
  static void start() throws IOException {
    CoturnTools.requireInstalled(TOOLS.toArray(String[]::new));
    node = RelayTestNode.start(DualStackRelayTest.dualStack(new JsonObject().put("maxAllocationsPerUser", 100)));
    peerPort4 = TestPorts.freeUdpBlock(2); // turnutils_peer binds the port and the next one
    peerPort6 = TestPorts.freeUdpBlock(2);
    PEERS.add(CoturnTools.peer("127.0.0.1", peerPort4));
    PEERS.add(CoturnTools.peer("::1", peerPort6));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process peer : PEERS) {
      CoturnTools.stop(peer);
    }
    if (node != null) {
      node.close();
    }
  }

  /** uclient with REST credentials of {@code identity}: 2 sessions of 20 messages to the peer on {@code peer}. */
  private static List<String> uclient(String identity, String server, String peer, String... options) {
    String user = RelayTestNode.restUsername(identity, 3600);
    int peerPort = peer.contains(":") ? peerPort6 : peerPort4;
    List<String> command = new ArrayList<>(List.of("turnutils_uclient"));
    command.addAll(List.of(options));
    command.addAll(List.of("-u", user, "-w", RelayTestNode.restPassword(user), "-e", peer,
      "-r", Integer.toString(peerPort), "-m", "2", "-n", "20", "-l", "100", "-z", "5",
      "-p", Integer.toString(node.relayPort()), server));
    return command;
  }

  private static void assertEchoes(List<String> command, int expectedMessages) throws Exception {
    CoturnTools.assertEchoes(command, expectedMessages, node::metric);
  }

  @Test
  @DisplayName("-x: IPv6 relayed addresses, channels, to the peer on ::1; the client on the IPv4 listener")
  void ipv6Relay() throws Exception {
    assertEchoes(uclient("uclient-x", "127.0.0.1", "::1", "-x"), 40);
  }

  @Test
  @DisplayName("-x -s: IPv6 relayed addresses with Send/Data indications, the client on the IPv6 listener (::1)")
  void ipv6RelayIndicationsOverIpv6Listener() throws Exception {
    assertEchoes(uclient("uclient-x-s", "::1", "::1", "-x", "-s"), 40);
  }

  @Test
  @DisplayName("the IPv6 listener with the default IPv4 relayed address: a client on ::1 relays to 127.0.0.1")
  void ipv6ListenerIpv4Relay() throws Exception {
    assertEchoes(uclient("uclient-v6-listener", "::1", "127.0.0.1"), 40);
  }

  @Test
  @DisplayName("-Z (ADDITIONAL-ADDRESS-FAMILY): dual allocations relay to the peer on ::1 and to the one on "
    + "127.0.0.1, each from its family's relayed address")
  void dualAllocation() throws Exception {
    // with an IPv6 peer, uclient -Z relays from the answer's IPv6 XOR-RELAYED-ADDRESS: without one it exits 255
    // ("relay addr cannot be received"); its Refreshes name a random family, which a dual allocation has both of
    assertEchoes(uclient("uclient-dual-6", "127.0.0.1", "::1", "-Z"), 40);
    assertEchoes(uclient("uclient-dual-4", "127.0.0.1", "127.0.0.1", "-Z"), 40);
  }
}
