package io.switchboard.signaling.it;

import io.switchboard.testing.Http;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.ProcessCluster;
import io.switchboard.testing.TestPorts;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * docs/operations.md, "Health": {@code /health} answers {@code 503} {@code STARTING} while the edge verticles are
 * still being deployed. The phase lasts only as long as the node takes to get through it, so a debugger holds
 * the node process exactly there: one edge instance stopped at the entry of its {@code start()} while the other
 * already serves. The rest of the node runs on meanwhile. ({@code DRAINING} was checked the same way, stopping
 * the shutdown thread right after it set the phase; in one of three full runs the process ended without that
 * stop, so it is left out until that is understood.)
 */
@DisplayName("/health is 503 STARTING before the last edge verticle is up, then 200 UP")
class HealthPhasesIT {

  private static final String EDGE = "io.switchboard.signaling.http.EdgeVerticle";
  private static final String STATE = "io.switchboard.signaling.http.NodeState";
  private static final Duration START = Duration.ofSeconds(120);

  @Test
  @DisplayName("a node held with one of its two edge instances still starting says STARTING, then UP")
  void startingThenUp() throws Exception {
    int debugPort = TestPorts.freePort();
    // two edge instances, each on its own event loop (four of them, whatever this machine has)
    Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", JvmDebugger.agentOption(debugPort)
      + " -XX:ActiveProcessorCount=4", "SWITCHBOARD_HTTP_EDGE_INSTANCES", "2");
    try (ProcessCluster cluster = ProcessCluster.start(0, 1, Map.of())) {
      NodeProcess node = cluster.launch(env);
      try (JvmDebugger debugger = JvmDebugger.attach(debugPort, START)) {
        debugger.breakOnEntry(EDGE, "start");
        debugger.breakOnEntry(STATE, "set");
        debugger.resumeAll();
        starting(debugger, node);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; node log:\n" + node.tail(), e);
      }
    }
  }

  private static void starting(JvmDebugger debugger, NodeProcess node) throws InterruptedException {
    JvmDebugger.Stop first = debugger.nextStop(START, "the first edge instance starting");
    assertEquals("start", first.method());
    first.resume();
    JvmDebugger.Stop second = debugger.nextStop(START, "the second edge instance starting");
    assertEquals("start", second.method(), "the second edge instance starting");
    assertNotEquals(first.threadName(), second.threadName(), "both edge instances on one event loop");

    Http.Response health = firstAnswer(node);
    assertEquals(503, health.status(), health.body());
    assertEquals("STARTING", health.json().getString("status"), health.body());
    assertEquals(node.nodeId(), health.json().getString("node"));

    second.resume();
    JvmDebugger.Stop up = debugger.nextStop(START, "NodeState.set(UP)");
    assertEquals("UP", up.enumArgument(0), "the node's next phase once both edges are up");
    up.resume();
    node.awaitHealthy(1, START);
  }

  /** Polls {@code /health} until the first edge instance listens, and returns its first answer. */
  private static Http.Response firstAnswer(NodeProcess node) throws InterruptedException {
    long deadline = System.nanoTime() + START.toNanos();
    while (true) {
      try {
        return Http.get(node.port(), "/health", null);
      } catch (AssertionError notListening) {
        if (System.nanoTime() > deadline) {
          throw notListening;
        }
        Thread.sleep(100);
      }
    }
  }
}
