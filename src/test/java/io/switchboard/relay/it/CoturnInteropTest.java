package io.switchboard.relay.it;

import io.switchboard.testing.Metrics;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.TestPorts;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Clients nobody here wrote: coturn's turnutils_stunclient and turnutils_uclient against our relay, with
 * turnutils_peer as the echoing peer. Only coturn's client tools run, never its server. The tools are required:
 * a missing one fails the test (install Debian's coturn package; .ci/run does).
 */
@DisplayName("relay interoperability with coturn's client tools")
@Timeout(180)
class CoturnInteropTest {

  private static final List<String> TOOLS = List.of("turnutils_stunclient", "turnutils_uclient", "turnutils_peer");
  private static final Pattern TOTALS = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)\\s*$",
    Pattern.MULTILINE);
  private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");
  private static final String C2P = "switchboard_turn_packets_total{direction=\"client_to_peer\"}";
  private static final String P2C = "switchboard_turn_packets_total{direction=\"peer_to_client\"}";

  private static RelayTestNode node;
  private static Process peer;
  private static int peerPort;

  @BeforeAll
  static void start() throws IOException {
    List<String> missing = TOOLS.stream().filter(tool -> !onPath(tool)).toList();
    if (!missing.isEmpty()) {
      fail("missing " + missing + ": install coturn's client tools with apt-get install coturn"
        + ("true".equals(System.getenv("CI")) ? " (CI=true: the CI image must provide them)" : "")
        + "; this test is never skipped");
    }
    node = RelayTestNode.start(new JsonObject().put("maxAllocationsPerUser", 100));
    peerPort = TestPorts.freeUdpBlock(2); // turnutils_peer binds the port and the next one
    peer = new ProcessBuilder("timeout", "170", "turnutils_peer", "-L", "127.0.0.1", "-p", Integer.toString(peerPort))
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (peer != null) {
      peer.descendants().forEach(ProcessHandle::destroy);
      peer.destroy();
      peer.waitFor(5, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, tool).canExecute()) {
        return true;
      }
    }
    return false;
  }

  /** Runs a tool under {@code timeout}; returns exit code and output. */
  private static Result run(List<String> command) throws Exception {
    List<String> full = new ArrayList<>(List.of("timeout", "60"));
    full.addAll(command);
    Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(70, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(command.get(0) + " did not finish");
    }
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  private record Result(int exit, String output) {
  }

  private static List<String> uclient(String user, String password, String... options) {
    List<String> command = new ArrayList<>(List.of("turnutils_uclient"));
    command.addAll(List.of(options));
    command.addAll(List.of("-u", user, "-w", password, "-e", "127.0.0.1", "-r", Integer.toString(peerPort),
      "-m", "2", "-n", "20", "-l", "100", "-z", "5", "-p", Integer.toString(node.relayPort()), "127.0.0.1"));
    return command;
  }

  /**
   * Runs uclient and checks: exit 0, every message came back, and the relay's own packet counters moved by exactly
   * what the tool says it sent and received.
   */
  private static void assertEchoes(List<String> command, int expectedMessages) throws Exception {
    double c2pBefore = node.metric(C2P);
    double p2cBefore = node.metric(P2C);
    Result result = run(command);
    assertEquals(0, result.exit(), result.output());
    Matcher totals = TOTALS.matcher(result.output());
    long sent = -1;
    long received = -1;
    while (totals.find()) {
      sent = Long.parseLong(totals.group(1));
      received = Long.parseLong(totals.group(2));
    }
    assertEquals(expectedMessages, sent, result.output());
    assertEquals(expectedMessages, received, result.output());
    Matcher lost = LOST.matcher(result.output());
    assertTrue(lost.find() && lost.group(1).equals("0"), result.output());
    assertEquals(c2pBefore + sent, Metrics.awaitValue(() -> node.metric(C2P), c2pBefore + sent, 3000),
      "relay counted client-to-peer datagrams");
    assertEquals(p2cBefore + received, Metrics.awaitValue(() -> node.metric(P2C), p2cBefore + received, 3000),
      "relay counted peer-to-client datagrams");
  }

  private static String restUser(String identity) {
    return RelayTestNode.restUsername(identity, 3600);
  }

  @Test
  @DisplayName("turnutils_stunclient: Binding answered with our reflexive address")
  void stunClient() throws Exception {
    Result result = run(List.of("turnutils_stunclient", "-p", Integer.toString(node.relayPort()), "127.0.0.1"));
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
    Result result = run(uclient(restUser("uclient-wrong"), "wrong-password-0123456789"));
    assertEquals(255, result.exit(), result.output());
    assertTrue(result.output().contains("Cannot complete Allocation"), result.output());
    assertTrue(node.metric(series) > before);
  }
}
