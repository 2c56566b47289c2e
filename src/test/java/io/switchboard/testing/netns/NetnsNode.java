package io.switchboard.testing.netns;

import io.switchboard.testing.Metrics;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.vertx.core.json.JsonObject;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Switchboard node process from the fat jar, running inside a node host of a {@link NetnsRig} and listening on that
 * host's own address only, configured through the environment as an operator would. The test JVM cannot open a
 * socket inside a namespace, so it reaches the node's HTTP API with curl run in the node's namespace.
 */
public final class NetnsNode implements AutoCloseable {

  /** Relay ports: below Linux's outgoing-port range (STYLE.md), alone in their namespace anyway. */
  public static final int RELAY_MIN_PORT = 20000;
  public static final int RELAY_PORT = 3478;

  private final NetnsRig rig;
  private final String namespace;
  private final String address;
  private final int httpPort;
  /** The HTTP port serves TLS (http.tls): https and wss, with the test CA's certificate. */
  private final boolean tls;
  private final String nodeId;
  private final Process process;
  private final Path log;

  private NetnsNode(NetnsRig rig, int index, int httpPort, boolean tls, String nodeId, Process process, Path log) {
    this.rig = rig;
    this.namespace = rig.nodeNamespace(index);
    this.address = rig.nodeAddress(index);
    this.httpPort = httpPort;
    this.tls = tls;
    this.nodeId = nodeId;
    this.process = process;
    this.log = log;
  }

  /**
   * The environment of a node on host {@code index}: HTTP and the relay on the host's address, the test keys, and
   * the relay allowed to relay to the rig's addresses (198.18.0.0/15, which its default policy refuses: the
   * benchmarking range is not a public address). {@code httpPort} 443 is what a corporate firewall lets through.
   */
  public static Map<String, String> environment(NetnsRig rig, int index, int httpPort) {
    String address = rig.nodeAddress(index);
    Map<String, String> env = new HashMap<>();
    env.put("SWITCHBOARD_NODE_ID", "node" + index);
    env.put("SWITCHBOARD_HTTP_HOST", address);
    env.put("SWITCHBOARD_HTTP_PORT", Integer.toString(httpPort));
    env.put("SWITCHBOARD_AUTH_HS256_SECRETS", TestNode.JWT_KEY);
    env.put("SWITCHBOARD_ICE_TURN_SECRETS", TestNode.TURN_KEY);
    env.put("SWITCHBOARD_RELAY_HOST", address);
    env.put("SWITCHBOARD_RELAY_PORT", Integer.toString(RELAY_PORT));
    env.put("SWITCHBOARD_RELAY_MIN_PORT", Integer.toString(RELAY_MIN_PORT));
    env.put("SWITCHBOARD_RELAY_MAX_PORT", Integer.toString(RELAY_MIN_PORT + 99));
    env.put("SWITCHBOARD_RELAY_ALLOWED_PEERS", "198.18.0.0/15");
    return env;
  }

  /** Starts a node on host {@code index} with {@code env} (see {@link #environment}); {@code --cluster} if asked. */
  public static NetnsNode start(NetnsRig rig, int index, Map<String, String> env, boolean cluster) {
    String jar = new File(System.getProperty("switchboard.jar", "target/switchboard.jar")).getAbsolutePath();
    if (!new File(jar).isFile()) {
      throw new IllegalStateException(jar + " is missing: these tests run after 'mvn package' (mvn verify)");
    }
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", rig.nodeNamespace(index),
      Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar));
    if (cluster) {
      command.add("--cluster");
    }
    String nodeId = env.getOrDefault("SWITCHBOARD_NODE_ID", "node" + index);
    try {
      Path log = Files.createTempFile("switchboard-netns-" + nodeId + "-", ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      int httpPort = Integer.parseInt(env.get("SWITCHBOARD_HTTP_PORT"));
      boolean tls = env.containsKey("SWITCHBOARD_HTTP_TLS_CERT");
      // ip netns exec execs the command in place: the process is the JVM itself, so killing it kills the node
      return new NetnsNode(rig, index, httpPort, tls, nodeId, builder.start(), log);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start node " + nodeId, e);
    }
  }

  /** Waits until {@code /health} answers 200 (and, in a cluster, lists {@code members} members). */
  public NetnsNode awaitHealthy(int members, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("node " + nodeId + " exited with " + process.exitValue() + "; log:\n" + tail());
      }
      last = curl("/health", null);
      if (healthy(last, members)) {
        return this;
      }
      sleep(300);
    }
    throw new IllegalStateException("node " + nodeId + " not healthy within " + timeout + " (last: " + last
      + "); log:\n" + tail());
  }

  /** UP, and with {@code members} members when clustered. */
  private static boolean healthy(String health, int members) {
    try {
      JsonObject json = new JsonObject(health);
      JsonObject cluster = json.getJsonObject("cluster", new JsonObject());
      int seen = cluster.getBoolean("enabled", false) ? cluster.getInteger("members", 0) : 1;
      return "UP".equals(json.getString("status")) && seen == members;
    } catch (RuntimeException notJson) {
      return false;
    }
  }

  /** The body of a GET of {@code path} (with {@code bearer} if not null), or curl's complaint. */
  public String curl(String path, String bearer) {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "-m", "5"));
    if (tls) {
      command.add("-k"); // the test CA's certificate: curl's trust store does not hold it
    }
    if (bearer != null) {
      command.addAll(List.of("-H", "Authorization: Bearer " + bearer));
    }
    command.add(httpUrl() + path);
    try {
      return rig.exec(namespace, command.toArray(String[]::new));
    } catch (IllegalStateException failed) {
      return failed.getMessage();
    }
  }

  /** The room as the admin API shows it, or null when the node does not know it. */
  public JsonObject room(String room) {
    String body = curl("/api/rooms/" + room, TestTokens.admin());
    return body.startsWith("{") && body.contains("\"participants\"") ? new JsonObject(body) : null;
  }

  /** One series of {@code /metrics}, e.g. {@code switchboard_turn_bytes_total{direction="client_to_peer"}}. */
  public double metric(String series) {
    return Metrics.value(curl("/metrics", null), series);
  }

  /** {@code http://ADDRESS:PORT}: where pages load the demo from. */
  public String httpUrl() {
    return (tls ? "https://" : "http://") + address + ":" + httpPort;
  }

  /** The node's WebSocket URL. */
  public String wsUrl() {
    return (tls ? "wss://" : "ws://") + address + ":" + httpPort + "/ws";
  }

  public String nodeId() {
    return nodeId;
  }

  public String address() {
    return address;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no goodbye to anyone. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The end of the node's log, without stack frames and without Hazelcast's retries towards members it cannot reach
   * (a partition fills the log with them).
   */
  public String tail() {
    try {
      String text = Files.readAllLines(log).stream().filter(line -> !line.startsWith("\tat ")
        && !line.startsWith("\t... ") && !line.contains("Not Member!"))
        .collect(java.util.stream.Collectors.joining("\n"));
      return text.length() > 8000 ? text.substring(text.length() - 8000) : text;
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    kill();
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
