package io.switchboard.relay.it;

import io.switchboard.testing.CoturnTools;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.TestCertificates;
import io.switchboard.testing.TestPorts;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * coturn's turnutils_uclient against our relay over TCP ({@code -t}) and TLS ({@code -S -t}), relayed over UDP to
 * turnutils_peer: every message echoed, and the relay's own counters moved by exactly the tool's totals. The TLS
 * certificate is issued for "localhost" by a CA of this test (uclient checks it only with -E). The tools are
 * required: a missing one fails the test, never skips it.
 */
@DisplayName("relay over TCP and TLS with coturn's client tools")
@Timeout(180)
class CoturnStreamInteropTest {

  private static final List<String> TOOLS = List.of("turnutils_uclient", "turnutils_peer");

  private static RelayTestNode node;
  private static Process peer;
  private static int peerPort;

  @BeforeAll
  static void start() throws IOException {
    CoturnTools.requireInstalled(TOOLS.toArray(String[]::new));
    node = RelayTestNode.startWithStreams(new JsonObject().put("maxAllocationsPerUser", 100),
      TestCertificates.newAuthority("turn").member("localhost"));
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

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"tcp, channels", "tcp, indications", "tls, channels", "tls, indications"})
  @DisplayName("turnutils_uclient: all echoed, counters agree, the connections counted and closed by the client")
  void echoes(String transport, String mode) throws Exception {
    String user = RelayTestNode.restUsername("uclient-" + transport + "-" + mode, 3600);
    List<String> command = new ArrayList<>(List.of("turnutils_uclient", "-t"));
    if (transport.equals("tls")) {
      command.add("-S");
    }
    if (mode.equals("indications")) {
      command.add("-s");
    }
    int port = transport.equals("tls") ? node.tlsPort() : node.tcpPort();
    command.addAll(List.of("-u", user, "-w", RelayTestNode.restPassword(user), "-e", "127.0.0.1",
      "-r", Integer.toString(peerPort), "-m", "2", "-n", "20", "-l", "100", "-z", "5", "-p", Integer.toString(port),
      "127.0.0.1"));
    double closedBefore = closed(transport);

    CoturnTools.assertEchoes(command, 40, node::metric);
    // uclient's connections are gone, and with them their allocations (RFC 8656: bound to the connection)
    assertEquals(0, Metrics.awaitValue(() -> node.metric("switchboard_turn_stream_connections{transport=\""
      + transport + "\"}"), 0, 3000));
    assertEquals(0, node.metric("switchboard_turn_allocations_active"));
    assertTrue(closed(transport) >= closedBefore + 2, "one connection per session at least, each counted");
    assertEquals(0, node.metric("switchboard_turn_dropped_total{reason=\"internal_error\"}"));
  }

  /** Connections of {@code transport} closed so far, whatever the reason. */
  private static double closed(String transport) {
    String text = Metrics.scrape(node.httpPort());
    String prefix = "switchboard_turn_stream_closed_total{";
    String label = "transport=\"" + transport + "\"";
    return text.lines().filter(l -> l.startsWith(prefix) && l.contains(label))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
