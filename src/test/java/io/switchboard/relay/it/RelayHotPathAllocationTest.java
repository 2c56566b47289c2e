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
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's hot path allocates nothing more per datagram than today. coturn's {@code turnutils_uclient} (another
 * process, so none of its work is counted) relays tens of thousands of ChannelData messages through the relay to
 * {@code turnutils_peer} and back, and the JVM's exact per-thread allocation counter is read for the node's event
 * loops before and after. The relay's own code allocates one object per datagram, the outgoing
 * {@code DatagramPacket} Netty's API takes; the rest is Netty's epoll transport: per received datagram a
 * {@code DatagramPacket}, a retained slice and the sender's {@code InetSocketAddress} with its
 * {@code InetAddress}, per sent one the IPv4-mapped address bytes (docs/relay.md, "Performance", has the JFR
 * breakdown). One more object per datagram, even 16 bytes, exceeds the budget and fails the test.
 */
@DisplayName("The relay's hot path allocates nothing of its own per datagram")
@Timeout(180)
class RelayHotPathAllocationTest {

  /** Bytes allocated on the event loops per relayed datagram: measured 227 (289 before BufferCopy), margin < 16. */
  static final double BUDGET_BYTES = 240;
  private static final int CLIENTS = 10;
  private static final int MESSAGES = 3000;

  private static RelayTestNode node;
  private static Process peer;
  private static int peerPort;

  @BeforeAll
  static void start() throws IOException {
    CoturnTools.requireInstalled("turnutils_uclient", "turnutils_peer");
    node = RelayTestNode.start(new JsonObject().put("maxAllocationsPerUser", 100));
    peerPort = TestPorts.freeUdpBlock(2); // turnutils_peer binds the port and the next one
    peer = CoturnTools.peer("127.0.0.1", peerPort);
  }

  @AfterAll
  static void stop() throws Exception {
    CoturnTools.stop(peer);
    if (node != null) {
      node.close();
    }
  }

  private static List<String> uclient(int messages) {
    return new ArrayList<>(List.of("turnutils_uclient", "-u", RelayTestNode.STATIC_USER, "-w",
      RelayTestNode.STATIC_PASSWORD, "-e", "127.0.0.1", "-r", Integer.toString(peerPort), "-m",
      Integer.toString(CLIENTS), "-n", Integer.toString(messages), "-l", "170", "-z", "1", "-p",
      Integer.toString(node.relayPort()), "127.0.0.1"));
  }

  @Test
  @DisplayName("ChannelData both ways at 10 clients: bytes allocated per relayed datagram stay within budget")
  void perDatagram() throws Exception {
    CoturnTools.assertEchoes(uclient(200), CLIENTS * 200, node::metric); // warm-up: compiled, pools filled
    double before = relayed();
    long allocatedBefore = eventLoopAllocatedBytes();
    CoturnTools.Result run = CoturnTools.run(uclient(MESSAGES));
    long allocated = eventLoopAllocatedBytes() - allocatedBefore;
    assertEquals(0, run.exit(), run.output());
    double datagrams = relayed() - before;
    assertTrue(datagrams >= CLIENTS * MESSAGES, "relayed " + datagrams + " datagrams\n" + run.output());
    double perDatagram = allocated / datagrams;
    System.getLogger(getClass().getName()).log(System.Logger.Level.INFO,
      "event loops allocated {0} bytes for {1} relayed datagrams: {2} bytes each", allocated, (long) datagrams,
      String.format(java.util.Locale.ROOT, "%.1f", perDatagram));
    assertTrue(perDatagram <= BUDGET_BYTES, perDatagram + " bytes allocated per relayed datagram, over the "
      + "budget of " + BUDGET_BYTES + ": something on the hot path allocates per datagram (find it with JFR: "
      + "docs/relay.md, \"Performance\")");
  }

  private static double relayed() {
    return node.metric(CoturnTools.CLIENT_TO_PEER) + node.metric(CoturnTools.PEER_TO_CLIENT);
  }

  /** Exact bytes allocated so far by every Vert.x event-loop thread (the relay's loop is one of them). */
  private static long eventLoopAllocatedBytes() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("vert.x-eventloop-thread-")) {
        total += threads.getThreadAllocatedBytes(thread.getId());
      }
    }
    return total;
  }
}
