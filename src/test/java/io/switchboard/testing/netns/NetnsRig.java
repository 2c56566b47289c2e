package io.switchboard.testing.netns;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A small internet of network namespaces built by {@code src/test/netns/rig.sh}: node hosts on a public segment
 * (198.18.0.0/24) and homes behind routers (full-cone NAT, symmetric NAT, a corporate firewall) or directly on the
 * segment. One rig per test class; {@link #close()} tears it down, and a JVM shutdown hook does too if the class
 * never got that far. The prefix names this JVM's pid, so the next run's {@code rig.sh up} deletes what a killed
 * run left behind, and leaves a concurrent live run alone.
 */
public final class NetnsRig implements AutoCloseable {

  /** Home kinds of rig.sh. */
  public enum Kind { FULLCONE, SYMMETRIC, CORPORATE, DIRECT }

  private static final Path SCRIPT = Path.of(System.getProperty("basedir", ".")).resolve("src/test/netns/rig.sh");
  private static final AtomicInteger RIGS = new AtomicInteger();
  private static final List<String> TOOLS = List.of("ip", "iptables", "curl");

  private final String prefix;
  private final int nodes;
  private final List<String> homes;
  private final Thread shutdownHook;

  private NetnsRig(String prefix, int nodes, List<String> homes) {
    this.prefix = prefix;
    this.nodes = nodes;
    this.homes = homes;
    this.shutdownHook = new Thread(this::down, "netns-rig-down-" + prefix);
  }

  /**
   * Skips the calling test when it cannot build namespaces here (not root, or a tool missing) and this is not CI;
   * on CI ({@code CI=true}) the same conditions fail it: CI runs as root and installs the tools (.ci/run).
   */
  public static void requireUsable() {
    List<String> problems = new ArrayList<>();
    if (!"root".equals(System.getProperty("user.name"))) {
      problems.add("not root (network namespaces and iptables need it)");
    }
    for (String tool : TOOLS) {
      if (which(tool) == null) {
        problems.add(tool + " is not installed");
      }
    }
    if (!new File("/usr/bin/chromium").canExecute() || !new File("/usr/bin/chromedriver").canExecute()) {
      problems.add("chromium and chromium-driver are not installed");
    }
    if (problems.isEmpty()) {
      return;
    }
    String why = "the network-namespace tests cannot run: " + String.join("; ", problems)
      + " (apt-get install iproute2 iptables curl chromium chromium-driver, and run as root)";
    if ("true".equals(System.getenv("CI"))) {
      fail("CI=true: " + why);
    }
    Assumptions.assumeTrue(false, why);
  }

  /**
   * Builds a rig with {@code nodes} node hosts and the given homes ({@code name:kind}, rig.sh's HOME:KIND).
   *
   * @param homes e.g. {@code home("alice", Kind.SYMMETRIC)}
   */
  public static NetnsRig up(int nodes, String... homes) {
    requireUsable();
    String prefix = "sbn" + ProcessHandle.current().pid() + "x" + RIGS.incrementAndGet();
    NetnsRig rig = new NetnsRig(prefix, nodes, List.of(homes));
    List<String> command = new ArrayList<>(List.of("up", prefix, Integer.toString(nodes)));
    command.addAll(List.of(homes));
    Runtime.getRuntime().addShutdownHook(rig.shutdownHook);
    try {
      run(command);
    } catch (RuntimeException e) {
      rig.close();
      throw e;
    }
    return rig;
  }

  /** rig.sh's HOME:KIND argument. */
  public static String home(String name, Kind kind) {
    return name + ":" + kind.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The namespace of node host {@code index} (from 1). */
  public String nodeNamespace(int index) {
    checkNode(index);
    return prefix + "-node" + index;
  }

  /** The address of node host {@code index} on the public segment. */
  public String nodeAddress(int index) {
    checkNode(index);
    return "198.18.0." + (10 + index);
  }

  /** The namespace of home {@code name}'s client host. */
  public String clientNamespace(String name) {
    if (homes.stream().noneMatch(home -> home.startsWith(name + ":"))) {
      throw new IllegalArgumentException("no home " + name + " in " + homes);
    }
    return prefix + "-" + name;
  }

  /** Runs {@code command} inside {@code namespace}; returns its output (stdout and stderr), or fails. */
  public String exec(String namespace, String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    full.addAll(List.of(command));
    return runCommand(full, 30);
  }

  /** Drops every packet between node {@code index} and the other nodes, both ways; clients still reach it. */
  public void partition(int index) {
    checkNode(index);
    run(List.of("partition", prefix, Integer.toString(index)));
  }

  /** Undoes {@link #partition}. */
  public void heal(int index) {
    checkNode(index);
    run(List.of("heal", prefix, Integer.toString(index)));
  }

  public String prefix() {
    return prefix;
  }

  /** Kills what still runs inside the rig and deletes its namespaces (and with them every veth). */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: it does the same
    }
    down();
  }

  private void down() {
    run(List.of("down", prefix));
  }

  private void checkNode(int index) {
    if (index < 1 || index > nodes) {
      throw new IllegalArgumentException("node " + index + " of " + nodes);
    }
  }

  private static void run(List<String> arguments) {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(arguments);
    runCommand(command, 60);
  }

  private static String runCommand(List<String> command, int timeoutSeconds) {
    try {
      Path output = Files.createTempFile("netns-rig", ".out");
      try {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
          .start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException(command + " did not finish within " + timeoutSeconds + " s");
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
          throw new IllegalStateException(command + " failed (" + process.exitValue() + "): " + text);
        }
        return text;
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path which(String tool) {
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
      Path candidate = Path.of(dir, tool);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
