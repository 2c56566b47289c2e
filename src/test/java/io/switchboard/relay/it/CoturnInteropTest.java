package io.switchboard.relay.it;

import io.switchboard.testing.CoturnTools;
import io.switchboard.testing.CoturnTools.Result;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients nobody here wrote: coturn's turnutils_stunclient and turnutils_uclient against our relay, with
 * turnutils_peer as the echoing peer. Only coturn's client tools run, never its server. The tools are required:
 * a missing one fails the test (install Debian's coturn package; .ci/run does).
 */
@DisplayName("relay interoperability with coturn's client tools")
@Timeout(180)
class CoturnInteropTest {


  private static RelayTestNode node;
  private static Process peer;
  private static int peerPort;

  @BeforeAll
  static void start() throws IOException {
    CoturnTools.requireInstalled("turnutils_stunclient", "turnutils_uclient", "turnutils_peer");
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

  private static List<String> uclient(String user, String password, String... options) {
    List<String> command = new ArrayList<>(List.of("turnutils_uclient"));
    command.addAll(List.of(options));
    command.addAll(List.of("-u", user, "-w", password, "-e", "127.0.0.1", "-r", Integer.toString(peerPort),
      "-m", "2", "-n", "20", "-l", "100", "-z", "5", "-p", Integer.toString(node.relayPort()), "127.0.0.1"));
    return command;
  }

  private static void assertEchoes(List<String> command, int expectedMessages) throws Exception {
    CoturnTools.assertEchoes(command, expectedMessages, node::metric);
  }

  private static String restUser(String identity) {
    return RelayTestNode.restUsername(identity, 3600);
  }

  @Test
  @DisplayName("turnutils_stunclient: Binding answered with our reflexive address")
  void stunClient() throws Exception {
    Result result = CoturnTools.run(List.of("turnutils_stunclient", "-p", Integer.toString(node.relayPort()),
      "127.0.0.1"));
    assertEquals(0, result.exit(), result.output());
    assertTrue(result.output().contains("UDP reflexive addr: 127.0.0.1:"), result.output());
  }

  @Test
  @DisplayName("turnutils_uclient with channels and a static user: all echoed, counters agree")
  void channelsStaticUser() throws Exception {
    assertEchoes(uclient(RelayTestNode.STATIC_USER, RelayTestNode.STATIC_PASSWORD), 40);
  }

  @Test
  @DisplayName("turnutils_uclient with channels and REST credentials: all echoed, counters agree")
  void channelsRest() throws Exception {
    String user = restUser("uclient-rest");
    assertEchoes(uclient(user, RelayTestNode.restPassword(user)), 40);
  }

  @Test
  @DisplayName("turnutils_uclient -s (Send/Data indications) with REST credentials: all echoed, counters agree")
  void indications() throws Exception {
    String user = restUser("uclient-indications");
    assertEchoes(uclient(user, RelayTestNode.restPassword(user), "-s"), 40);
  }

  @Test
  @DisplayName("turnutils_uclient -y (client to client through two allocations): all delivered, counters agree")
  void clientToClient() throws Exception {
    String user = restUser("uclient-c2c");
    assertEchoes(uclient(user, RelayTestNode.restPassword(user), "-y"), 80);
  }

  @Test
  @DisplayName("turnutils_uclient -y -s with a static user: client to client over indications")
  void clientToClientIndications() throws Exception {
    assertEchoes(uclient(RelayTestNode.STATIC_USER, RelayTestNode.STATIC_PASSWORD, "-y", "-s"), 80);
  }

  @Test
  @DisplayName("a wrong password is refused: exit 255, \"Cannot complete Allocation\", counted as an auth failure")
  void wrongPassword() throws Exception {
    String series = "switchboard_turn_auth_failures_total{reason=\"bad_integrity\"}";
    double before = node.metric(series);
    Result result = CoturnTools.run(uclient(restUser("uclient-wrong"), "wrong-password-0123456789"));
    assertEquals(255, result.exit(), result.output());
    assertTrue(result.output().contains("Cannot complete Allocation"), result.output());
    assertTrue(node.metric(series) > before);
  }
}
