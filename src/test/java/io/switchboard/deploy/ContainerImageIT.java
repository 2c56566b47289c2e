package io.switchboard.deploy;

import io.switchboard.config.ConfigLoader;
import io.switchboard.testing.Http;
import io.switchboard.testing.OciImage;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestPorts;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The container image as `mvn -Pimage package` builds it (docs/deploy.md): built here with the same profile (Debian
 * base by mmdebstrap, Jib, no daemon), unpacked with skopeo and umoci, and its entrypoint run as the image's user in
 * a chroot of its root file system, as a runtime would, with the image's configuration read from its OCI config.
 */
@DisplayName("container image")
class ContainerImageIT {

  private static final Logger LOG = Logger.getLogger(ContainerImageIT.class.getName());
  private static final Path BASEDIR = Path.of(System.getProperty("basedir", "."));
  private static OciImage image;

  @BeforeAll
  static void buildAndUnpack() throws Exception {
    OciImage.requireTools();
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root && "true".equals(System.getenv("CI"))) {
      fail("unpacking and chrooting the image needs root; CI=true runs as root");
    }
    Assumptions.assumeTrue(root, "unpacking and chrooting the image needs root: skipped outside CI");
    Path archive = Path.of(System.getProperty("switchboard.image", "target/switchboard-image.tar"));
    long started = System.nanoTime();
    buildImage();
    long built = System.nanoTime();
    image = OciImage.unpack(archive, BASEDIR.resolve("target").resolve("image-it"));
    LOG.info(() -> String.format("image built in %d s, unpacked in %d s", (built - started) / 1_000_000_000L,
      (System.nanoTime() - built) / 1_000_000_000L));
  }

  /** Runs the image profile's two steps on the jar this build made (no recompile, no second shade). */
  private static void buildImage() throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("maven.home"), "bin", "mvn").toString(),
      "-B", "-Pimage", "-Dcheckstyle.skip", "-Dmaven.repo.local=" + System.getProperty("switchboard.mavenRepo")));
    if ("offline:true".equals(System.getProperty("switchboard.mavenOffline"))) {
      command.add("-o");
    }
    command.addAll(List.of("exec:exec@base-image", "jib:buildTar"));
    Path log = BASEDIR.resolve("target").resolve("image-build.log");
    Process build = new ProcessBuilder(command).directory(BASEDIR.toFile()).redirectErrorStream(true)
      .redirectOutput(log.toFile()).start();
    if (!build.waitFor(10, TimeUnit.MINUTES)) {
      build.destroyForcibly();
      fail("image build did not finish in 10 minutes; see " + log);
    }
    assertEquals(0, build.exitValue(), "image build failed: " + Files.readString(log));
  }

  @AfterAll
  static void removeUnpacked() throws IOException {
    if (image != null) {
      image.close();
    }
  }

  @Test
  @DisplayName("runs as a numeric non-root user, exposes the configured ports, starts the fat jar")
  void configuration() throws IOException {
    assertTrue(image.user().matches("\\d+:\\d+"), "numeric uid:gid, got " + image.user());
    assertNotEquals("0", image.user().split(":")[0], "the image must not run as root");

    JsonObject effective = ConfigLoader.load(null, image.env());
    assertEquals("0.0.0.0", effective.getJsonObject("http").getString("host"), "reachable from outside");
    JsonObject relay = effective.getJsonObject("relay");
    JsonObject cluster = effective.getJsonObject("cluster");
    Set<String> expected = new TreeSet<>(List.of(
      effective.getJsonObject("http").getInteger("port") + "/tcp",
      relay.getInteger("port") + "/udp",
      relay.getJsonObject("tcp").getInteger("port") + "/tcp",
      relay.getJsonObject("tls").getInteger("port") + "/tcp",
      effective.getJsonObject("onePort").getInteger("port") + "/tcp",
      cluster.getInteger("port") + "/tcp",
      cluster.getInteger("eventBusPort") + "/tcp"));
    assertEquals(expected, image.exposedPorts());

    List<String> command = image.defaultCommand();
    int jarArg = command.indexOf("-jar");
    assertTrue(jarArg > 0 && jarArg + 1 < command.size(), "java ... -jar JAR, got " + command);
    Path inImage = image.rootfs().resolve(command.get(jarArg + 1).substring(1));
    assertEquals(-1L, Files.mismatch(Path.of(System.getProperty("switchboard.jar")), inImage),
      "the image carries this build's fat jar");
  }

  @Test
  @DisplayName("its entrypoint serves /health as the image's user; the bundled health check agrees")
  void servesHealth() throws Exception {
    int httpPort = TestPorts.freePort();
    int relayPorts = TestPorts.freeUdpBlock(11);
    Map<String, String> env = Map.of(
      "SWITCHBOARD_HTTP_HOST", "127.0.0.1", "SWITCHBOARD_HTTP_PORT", Integer.toString(httpPort),
      "SWITCHBOARD_RELAY_HOST", "127.0.0.1", "SWITCHBOARD_RELAY_PORT", Integer.toString(relayPorts),
      "SWITCHBOARD_RELAY_MIN_PORT", Integer.toString(relayPorts + 1),
      "SWITCHBOARD_RELAY_MAX_PORT", Integer.toString(relayPorts + 10),
      "SWITCHBOARD_AUTH_HS256_SECRETS", TestNode.JWT_KEY);
    Path log = Files.createTempFile("switchboard-image-", ".log");
    Process node = image.command(image.defaultCommand(), env).redirectErrorStream(true)
      .redirectOutput(log.toFile()).start();
    boolean stopped;
    try {
      awaitHealth(node, httpPort, log);
      ProcessHandle java = node.descendants().filter(p -> p.info().command().orElse("").endsWith("java"))
        .findFirst().orElseThrow(() -> new AssertionError("no java process under " + node.pid()));
      String uid = image.user().split(":")[0];
      assertTrue(Files.readString(Path.of("/proc", Long.toString(java.pid()), "status"))
        .contains("\nUid:\t" + uid + "\t" + uid + "\t"), "the node runs as uid " + uid);

      Process readOnly = image.command(List.of("sh", "-c", "! touch /opt/switchboard/probe && touch /tmp/probe"),
        Map.of()).redirectErrorStream(true).start();
      assertTrue(readOnly.waitFor(20, TimeUnit.SECONDS), "probe finished");
      assertEquals(0, readOnly.exitValue(), "the root is read-only, /tmp writable, as the node just ran");

      Process check = image.command(List.of("/opt/switchboard/healthcheck"),
        Map.of("SWITCHBOARD_HTTP_PORT", Integer.toString(httpPort))).redirectErrorStream(true).start();
      assertTrue(check.waitFor(20, TimeUnit.SECONDS), "health check finished");
      assertEquals(0, check.exitValue(), new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      stopped = OciImage.stop(node, 30);
      Files.deleteIfExists(log);
    }
    assertTrue(stopped, "the node and everything in its namespace ended on SIGTERM");
  }

  private static void awaitHealth(Process node, int port, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!node.isAlive()) {
        fail("node exited with " + node.exitValue() + ": " + Files.readString(log));
      }
      try {
        if (Http.get(port, "/health", null).status() == 200) {
          return;
        }
      } catch (AssertionError notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    fail("no /health 200 within 60 s: " + Files.readString(log));
  }

  @Test
  @DisplayName("unconfigured, it refuses to start: never development mode, never without keys")
  void refusesUnconfigured() throws Exception {
    Path log = Files.createTempFile("switchboard-image-", ".log");
    Process node = image.command(image.defaultCommand(), Map.of()).redirectErrorStream(true)
      .redirectOutput(log.toFile()).start();
    try {
      assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node finished");
      String output = Files.readString(log);
      assertEquals(2, node.exitValue(), output);
      assertTrue(output.startsWith("switchboard: "), output);
    } finally {
      OciImage.stop(node, 10);
      Files.deleteIfExists(log);
    }
  }
}
