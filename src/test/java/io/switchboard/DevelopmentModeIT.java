package io.switchboard;

import io.switchboard.testing.Http;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestPorts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Development mode from the command line, as an operator starts the jar: never a default, refused where unsafe. */
@DisplayName("Development mode only when asked for, and never where it would be unsafe")
class DevelopmentModeIT {

  private static final String JAR = System.getProperty("switchboard.jar", "target/switchboard.jar");

  private record Run(Process process, Path log) {
    String output() throws IOException {
      return Files.readString(log);
    }
  }

  private static Run java(List<String> args, Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx128m", "-jar", JAR));
    command.addAll(args);
    Path log = Files.createTempFile("switchboard-dev-", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("SWITCHBOARD_"));
    builder.environment().putAll(env);
    return new Run(builder.start(), log);
  }

  private static String refusedAtStart(List<String> args, Map<String, String> env) throws Exception {
    Run run = java(args, env);
    assertTrue(run.process().waitFor(60, TimeUnit.SECONDS), "the node should refuse to start");
    assertEquals(2, run.process().exitValue(), run.output());
    return run.output();
  }

  @Test
  @DisplayName("a --conf file that leaves out devTokens: POST /api/dev/token is 404")
  void productionFile(@TempDir Path dir) throws Exception {
    int port = TestPorts.freePort();
    Path file = Files.writeString(dir.resolve("production.json"), new JsonObject()
      .put("http", new JsonObject().put("port", port))
      .put("auth", new JsonObject().put("hs256Secrets", new JsonArray().add(TestNode.JWT_KEY)))
      .put("relay", new JsonObject().put("enabled", false)).encodePrettily());
    Run run = java(List.of("--conf", file.toString()), Map.of());
    try {
      Http.Response health = awaitHealth(port, run);
      assertEquals(200, health.status());
      Http.Response devToken = Http.post(port, "/api/dev/token", null,
        new JsonObject().put("identity", "mallory").put("room", "standup").encode());
      assertEquals(404, devToken.status(), devToken.body());
      assertTrue(!run.output().contains("development tokens are ON"), run.output());
    } finally {
      run.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("--dev with --cluster is refused at start, with the reason")
  void developmentCluster() throws Exception {
    String output = refusedAtStart(List.of("--dev", "--cluster"), Map.of("SWITCHBOARD_CLUSTER_INSECURE", "true",
      "SWITCHBOARD_AUTH_HS256_SECRETS", TestNode.JWT_KEY));
    assertTrue(output.contains("auth.devTokens cannot be used in a cluster"), output);
  }

  @Test
  @DisplayName("--dev on 0.0.0.0 is refused at start, with the reason")
  void developmentOnEveryInterface() throws Exception {
    String output = refusedAtStart(List.of("--dev"), Map.of("SWITCHBOARD_HTTP_HOST", "0.0.0.0"));
    assertTrue(output.contains("auth.devTokens is allowed only with a loopback http.host"), output);
  }

  @Test
  @DisplayName("--dev on loopback serves development tokens")
  void development() throws Exception {
    int port = TestPorts.freePort();
    Run run = java(List.of("--dev"), Map.of("SWITCHBOARD_HTTP_PORT", Integer.toString(port),
      "SWITCHBOARD_RELAY_ENABLED", "false"));
    try {
      assertEquals(200, awaitHealth(port, run).status());
      Http.Response devToken = Http.post(port, "/api/dev/token", null,
        new JsonObject().put("identity", "alice").put("room", "standup").encode());
      assertEquals(200, devToken.status(), devToken.body());
    } finally {
      run.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Http.Response awaitHealth(int port, Run run) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!run.process().isAlive()) {
        throw new AssertionError("node exited: " + run.output());
      }
      try {
        Http.Response health = Http.get(port, "/health", null);
        if (health.status() == 200) {
          return health;
        }
      } catch (AssertionError notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no /health within 60 s: " + run.output());
  }
}
