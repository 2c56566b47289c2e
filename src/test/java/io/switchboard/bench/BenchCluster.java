package io.switchboard.bench;

import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestPorts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Node processes for the resume benchmarks (not a test): a fixed number of slots, each a {@link NodeProcess} on its
 * own Hazelcast port, so a killed node can be replaced by a new one (new node id) on the same port. Every node is
 * pinned with {@code taskset} to {@code cores}; every PID started is appended to the file named by the system
 * property {@code bench.pids}, so the driving script can stop what is left if this JVM dies; node logs are copied
 * to the folder named by {@code bench.logs} before they are deleted.
 */
final class BenchCluster implements AutoCloseable {

  private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
  private static final Pattern LOG_LINE =
    Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) (\\S+)");
  private static final Pattern EXCEPTION = Pattern.compile("^[a-z][\\w.$]*(Exception|Error)\\b");
  private static final long CLOCK_TICKS = clockTicks();

  private final String name = TestNode.unique("bench");
  private final List<Integer> hazelcastPorts = new ArrayList<>();
  private final String members;
  private final Map<String, String> env;
  private final String cores;
  private final NodeProcess[] slots;
  private final List<NodeProcess> retired = new ArrayList<>();
  private int started;

  private BenchCluster(int size, Map<String, String> env, String cores) {
    for (int i = 0; i < size; i++) {
      hazelcastPorts.add(TestPorts.freePort());
    }
    this.members = hazelcastPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    this.env = env;
    this.cores = cores;
    this.slots = new NodeProcess[size];
  }

  /** Starts {@code size} members pinned to {@code cores} (null: not pinned) and waits until they see each other. */
  static BenchCluster start(int size, Map<String, String> env, String cores) {
    BenchCluster cluster = new BenchCluster(size, env, cores);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
    try {
      for (int i = 0; i < size; i++) {
        cluster.launch(i);
      }
      for (NodeProcess node : cluster.slots) {
        node.awaitHealthy(size, Duration.ofSeconds(90));
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  NodeProcess node(int slot) {
    return slots[slot];
  }

  int size() {
    return slots.length;
  }

  private NodeProcess launch(int slot) {
    started++;
    String nodeId = "s" + slot + "-" + started + "-" + name.substring(name.length() - 8);
    NodeProcess node = NodeProcess.start(nodeId, "member-" + slot, name, hazelcastPorts.get(slot), members, env);
    slots[slot] = node;
    recordPid(node.pid());
    pin(node.pid());
    return node;
  }

  /** SIGKILL of the node in {@code slot}, without waiting for it to exit. */
  void kill(int slot) {
    ProcessHandle.of(slots[slot].pid()).ifPresent(ProcessHandle::destroyForcibly);
  }

  /** Replaces the (killed) node in {@code slot} with a new one and waits until the cluster is whole again. */
  NodeProcess replace(int slot) {
    NodeProcess old = slots[slot];
    old.waitForExit(Duration.ofSeconds(10));
    retired.add(old);
    NodeProcess fresh = launch(slot);
    for (NodeProcess node : slots) {
      node.awaitHealthy(slots.length, Duration.ofSeconds(90));
    }
    return fresh;
  }

  private void pin(long pid) {
    if (cores == null) {
      return;
    }
    try {
      Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", cores, Long.toString(pid))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!taskset.waitFor(10, TimeUnit.SECONDS) || taskset.exitValue() != 0) {
        throw new IllegalStateException("taskset -a -p -c " + cores + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void recordPid(long pid) {
    String file = System.getProperty("bench.pids");
    if (file == null) {
      return;
    }
    try {
      Files.writeString(Path.of(file), pid + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** CPU time (user + system) the process has used so far, in nanoseconds, from /proc (clock-tick resolution). */
  static long cpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
      return ticks * 1_000_000_000L / CLOCK_TICKS;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/stat", e);
    }
  }

  private static long clockTicks() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      getconf.waitFor(10, TimeUnit.SECONDS);
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  /** Live objects after a full GC: {@code jcmd PID GC.class_histogram} (which forces one), bytes by class. */
  static Map<String, Long> histogram(long pid) {
    try {
      Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram")
        .redirectErrorStream(true).start();
      String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
        throw new IllegalStateException("jcmd failed: " + out);
      }
      Map<String, Long> bytes = new LinkedHashMap<>();
      for (String line : out.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 4 && f[0].endsWith(":")) {
          bytes.merge(f[3], Long.parseLong(f[2]), Long::sum);
        } else if (f.length == 3 && f[0].equals("Total")) {
          bytes.put("<total>", Long.parseLong(f[2]));
        }
      }
      return bytes;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Live bytes of a {@link #histogram} without {@code int[]}: before it walks the heap the JVM fills every thread's
   * unused allocation buffer (TLAB) with {@code int[]} fillers, megabytes that come and go between two histograms.
   */
  static long liveBytes(Map<String, Long> histogram) {
    return histogram.get("<total>") - histogram.getOrDefault("[I", 0L);
  }

  /**
   * Epoch milliseconds of the first line of {@code node}'s log that contains {@code text}, or -1. Log lines start
   * with the local time to the millisecond.
   */
  static long logTime(NodeProcess node, String text) {
    for (String line : node.logText().split("\n")) {
      if (line.contains(text)) {
        Matcher m = LOG_LINE.matcher(line);
        if (m.find()) {
          return LocalDateTime.parse(m.group(1), LOG_TIME).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
        }
      }
    }
    return -1;
  }

  /**
   * WARNING and SEVERE lines of every node's log started so far, counted by message with node ids, member UUIDs,
   * session ids, addresses and numbers blanked out; a SEVERE line is followed by the exception it logged, if any.
   */
  Map<String, Integer> problems() {
    Map<String, Integer> counts = new TreeMap<>();
    List<NodeProcess> all = new ArrayList<>(retired);
    all.addAll(List.of(slots));
    for (NodeProcess node : all) {
      if (node == null) {
        continue;
      }
      String[] lines = node.logText().split("\n");
      for (int i = 0; i < lines.length; i++) {
        Matcher m = LOG_LINE.matcher(lines[i]);
        if (m.find() && (m.group(2).equals("WARNING") || m.group(2).equals("SEVERE"))) {
          String message = lines[i].substring(m.end()).trim();
          if (i + 1 < lines.length && EXCEPTION.matcher(lines[i + 1]).find()) {
            message += " / " + lines[i + 1].trim();
          }
          counts.merge(m.group(2) + " " + blank(message), 1, Integer::sum);
        }
      }
    }
    return counts;
  }

  private static String blank(String message) {
    String text = message
      .replaceAll("Connection\\[id=.*?\\] closed", "Connection[...] closed")
      .replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")
      .replaceAll("s\\d+-\\d+-[0-9a-f]{8}", "<node>")
      .replaceAll("bench-[0-9a-f]{8}", "<cluster>")
      .replaceAll("hz\\.[a-z_]+\\.", "hz.<instance>.")
      .replaceAll("\\b[A-Za-z0-9_-]{22}\\b", "<id>")
      .replaceAll("\\d+", "N");
    return text.length() > 240 ? text.substring(0, 240) + "..." : text;
  }

  @Override
  public synchronized void close() {
    List<NodeProcess> all = new ArrayList<>(retired);
    for (NodeProcess node : slots) {
      if (node != null) {
        all.add(node);
      }
    }
    retired.clear();
    java.util.Arrays.fill(slots, null);
    String logs = System.getProperty("bench.logs");
    for (NodeProcess node : all) {
      if (node.isAlive()) {
        node.kill();
      }
      if (logs != null) {
        try {
          Files.writeString(Path.of(logs, node.nodeId() + ".log"), node.logText());
        } catch (IOException e) {
          // the copy is a convenience
        }
      }
      node.close();
    }
  }
}
