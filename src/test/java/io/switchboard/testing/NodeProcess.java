package io.switchboard.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A Switchboard node in its own JVM, started from the fat jar with {@code --cluster}, configured through the
 * environment as an operator would. For tests about processes: a killed node, a joining member, SIGTERM.
 */
public final class NodeProcess implements AutoCloseable {

  private final Process process;
  private final String nodeId;
  private final int httpPort;
  private final int relayPort;
  private final Path log;

  private NodeProcess(Process process, String nodeId, int httpPort, int relayPort, Path log) {
    this.process = process;
    this.nodeId = nodeId;
    this.httpPort = httpPort;
    this.relayPort = relayPort;
    this.log = log;
  }

  /**
   * Starts a member of {@code clusterName} that contacts {@code members} (host:port list), with event-bus TLS
   * from the test CA's certificate {@code certificate}; {@code extraEnv} overrides anything (an empty
   * {@code SWITCHBOARD_CLUSTER_TLS_*} removes a key).
   */
  public static NodeProcess start(String nodeId, String certificate, String clusterName, int hazelcastPort,
                                  String members, Map<String, String> extraEnv) {
    String jar = System.getProperty("switchboard.jar", "target/switchboard.jar");
    if (!new File(jar).isFile()) {
      throw new IllegalStateException(jar + " is missing: process tests run after 'mvn package' (mvn verify)");
    }
    int httpPort = TestPorts.freePort();
    int relayPorts = TestPorts.freeUdpBlock(11); // the STUN/TURN listener, then ten relay ports
    try {
      Path log = Files.createTempFile("switchboard-" + nodeId + "-", ".log");
      ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar, "--cluster")
        .redirectErrorStream(true).redirectOutput(log.toFile());
      Map<String, String> env = builder.environment();
      env.put("SWITCHBOARD_NODE_ID", nodeId);
      env.put("SWITCHBOARD_HTTP_PORT", Integer.toString(httpPort));
      env.put("SWITCHBOARD_AUTH_HS256_SECRETS", TestNode.JWT_KEY);
      env.put("SWITCHBOARD_ICE_TURN_SECRETS", TestNode.TURN_KEY);
      env.put("SWITCHBOARD_CLUSTER_NAME", clusterName);
      env.put("SWITCHBOARD_CLUSTER_HOST", "127.0.0.1");
      env.put("SWITCHBOARD_CLUSTER_PORT", Integer.toString(hazelcastPort));
      env.put("SWITCHBOARD_CLUSTER_MEMBERS", members);
      env.put("SWITCHBOARD_RELAY_PORT", Integer.toString(relayPorts));
      env.put("SWITCHBOARD_RELAY_MIN_PORT", Integer.toString(relayPorts + 1));
      env.put("SWITCHBOARD_RELAY_MAX_PORT", Integer.toString(relayPorts + 10));
      env.putAll(TestCertificates.cluster().member(certificate).env());
      env.putAll(extraEnv);
      return new NodeProcess(builder.start(), nodeId, httpPort, relayPorts, log);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start node " + nodeId, e);
    }
  }

  /** Waits until {@code /health} answers 200 and reports {@code members} members. */
  public NodeProcess awaitHealthy(int members, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("node " + nodeId + " exited with " + process.exitValue() + "; log:\n" + tail());
      }
      try {
        Http.Response health = Http.get(httpPort, "/health", null);
        last = health.body();
        if (health.status() == 200
          && health.json().getJsonObject("cluster").getInteger("members", 0) == members) {
          return this;
        }
      } catch (AssertionError notYet) {
        // not listening yet
      }
      sleep(200);
    }
    throw new IllegalStateException("node " + nodeId + " not healthy with " + members + " members within " + timeout
      + " (last: " + last + "); log:\n" + tail());
  }

  public String nodeId() {
    return nodeId;
  }

  public int port() {
    return httpPort;
  }

  /** The STUN/TURN listener's UDP port (unless the environment moved it). */
  public int relayPort() {
    return relayPort;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no goodbye to anyone. */
  public void kill() {
    process.destroyForcibly();
    waitForExit(Duration.ofSeconds(10));
  }

  /** SIGSTOP / SIGCONT: the node freezes with its sockets open, as if its packets vanished, then resumes. */
  public void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + name + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGTERM: the node drains and leaves the cluster. */
  public void terminate() {
    process.destroy();
  }

  public int waitForExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("node " + nodeId + " did not exit within " + timeout);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String tail() {
    try {
      String text = Files.readString(log);
      return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      if (!Boolean.getBoolean("switchboard.keepLogs")) {
        Files.deleteIfExists(log);
      }
    } catch (IOException ignored) {
      // a temp file
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
