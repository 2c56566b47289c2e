package io.switchboard.cluster;

import io.switchboard.testing.Http;
import io.switchboard.testing.TestPorts;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("cluster/start-local.sh and cluster/stop-local.sh")
class LocalClusterScriptIT {

  private static final Pattern NODE_LINE =
    Pattern.compile("node-(\\d) http://127\\.0\\.0\\.1:(\\d+)/ turn 127\\.0\\.0\\.1:(\\d+) pid (\\d+) log .*");

  @Test
  @DisplayName("start-local.sh 2 starts two members that see each other over mutual TLS and prints their URLs; "
    + "stop-local.sh stops exactly them")
  void startAndStop(@TempDir Path state) throws Exception {
    int httpBase = TestPorts.freeUdpBlock(2);
    int hazelcastBase = TestPorts.freeUdpBlock(2);
    int relayBase = TestPorts.freeUdpBlock(12); // two listeners, then five relay ports per node
    Map<String, String> env = Map.of("HTTP_BASE", Integer.toString(httpBase),
      "HAZELCAST_BASE", Integer.toString(hazelcastBase), "TURN_BASE", Integer.toString(relayBase),
      "RELAY_MIN", Integer.toString(relayBase + 2), "RELAY_MAX", Integer.toString(relayBase + 11),
      "STATE_DIR", state.toString(), "CLUSTER_NAME", "script-" + httpBase,
      "JAR", System.getProperty("switchboard.jar"));
    Result start = run(List.of("cluster/start-local.sh", "2"), env, 120);
    List<Long> pids = Files.readAllLines(state.resolve("pids")).stream().map(Long::parseLong).toList();
    try {
      assertEquals(0, start.exit(), start.output());
      assertEquals(2, pids.size());
      for (int i = 0; i < 2; i++) {
        Matcher line = NODE_LINE.matcher(start.output().lines().filter(l -> l.startsWith("node-")).toList().get(i));
        assertTrue(line.matches(), start.output());
        assertEquals(httpBase + i, Integer.parseInt(line.group(2)));
        assertEquals(relayBase + i, Integer.parseInt(line.group(3)));
        assertEquals(pids.get(i), Long.parseLong(line.group(4)));
        Http.Response health = Http.get(httpBase + i, "/health", null);
        assertEquals(200, health.status());
        assertEquals(2, health.json().getJsonObject("cluster").getInteger("members"));
        assertEquals(true, health.json().getJsonObject("cluster").getBoolean("tls"), "TLS on by default");
        assertEquals("node-" + (i + 1), health.json().getString("node"));
      }
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("secret"))));
      for (String key : List.of("ca.key", "node-1.key", "node-2.key")) {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
          state.resolve("tls").resolve(key))), key);
      }
      assertTrue(start.output().contains("event bus over mutual TLS"), start.output());
      assertEquals(1, run(List.of("cluster/start-local.sh", "2"), env, 30).exit(), "refuses to start twice");
    } finally {
      Result stop = run(List.of("cluster/stop-local.sh"), env, 60);
      assertEquals(0, stop.exit(), stop.output());
      assertTrue(stop.output().contains("stopped 2 node(s)"), stop.output());
    }
    for (long pid : pids) {
      // an exited process stays visible until init reaps it
      long deadline = System.currentTimeMillis() + 5000;
      while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still alive");
    }
    assertFalse(Files.exists(state.resolve("pids")));
  }

  private record Result(int exit, String output) {
  }

  private static Result run(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
    Path output = Files.createTempFile("script", ".out");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s: "
          + Files.readString(output));
      }
      return new Result(process.exitValue(), Files.readString(output));
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
