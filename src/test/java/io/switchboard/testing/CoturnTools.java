package io.switchboard.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * coturn's client tools as the relay tests drive them (Debian's coturn package; only its clients run, never its
 * server): checking they are installed (a missing one fails, never skips), an echoing {@code turnutils_peer}, a
 * bounded run of any tool, and what a {@code turnutils_uclient} run reports.
 */
public final class CoturnTools {

  private static final Pattern TOTALS = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)\\s*$",
    Pattern.MULTILINE);
  private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");
  public static final String CLIENT_TO_PEER = "switchboard_turn_packets_total{direction=\"client_to_peer\"}";
  public static final String PEER_TO_CLIENT = "switchboard_turn_packets_total{direction=\"peer_to_client\"}";

  private CoturnTools() {
  }

  /** Fails (never skips) when one of coturn's client {@code tools} is not on the PATH. */
  public static void requireInstalled(String... tools) {
    Map<String, String> coturn = new LinkedHashMap<>();
    for (String tool : tools) {
      coturn.put(tool, "coturn");
    }
    InstalledTools.require(coturn);
  }

  /** An echoing turnutils_peer on {@code address}, binding {@code port} and the next one, for at most 170 s. */
  public static Process peer(String address, int port) throws IOException {
    return new ProcessBuilder("timeout", "170", "turnutils_peer", "-L", address, "-p", Integer.toString(port))
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** Stops a process of {@link #peer} and what it started. */
  public static void stop(Process process) throws InterruptedException {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** What a tool printed, and its exit code. */
  public record Result(int exit, String output) {

    /** uclient's last {@code tot_send_msgs}/{@code tot_recv_msgs}: {sent, received}, or -1 each when absent. */
    public long[] totals() {
      Matcher totals = TOTALS.matcher(output);
      long[] last = {-1, -1};
      while (totals.find()) {
        last[0] = Long.parseLong(totals.group(1));
        last[1] = Long.parseLong(totals.group(2));
      }
      return last;
    }

    /** Whether uclient reported no lost packet. */
    public boolean noneLost() {
      Matcher lost = LOST.matcher(output);
      return lost.find() && lost.group(1).equals("0");
    }
  }

  /** Runs a tool under {@code timeout 60}. */
  public static Result run(List<String> command) throws Exception {
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

  /**
   * Runs a uclient {@code command} and checks: exit 0, {@code expected} messages sent and every one echoed, none
   * lost, and the relay's packet counters ({@code metric} reads a series) moved by exactly the tool's totals.
   *
   * @return the run, for further checks
   */
  public static Result assertEchoes(List<String> command, int expected, java.util.function.Function<String, Double>
    metric) throws Exception {
    double c2pBefore = metric.apply(CLIENT_TO_PEER);
    double p2cBefore = metric.apply(PEER_TO_CLIENT);
    Result result = run(command);
    assertEquals(0, result.exit(), result.output());
    long[] totals = result.totals();
    assertEquals(expected, totals[0], result.output());
    assertEquals(expected, totals[1], result.output());
    assertTrue(result.noneLost(), result.output());
    assertCounted(() -> metric.apply(CLIENT_TO_PEER), c2pBefore + totals[0], "relay counted client-to-peer datagrams");
    assertCounted(() -> metric.apply(PEER_TO_CLIENT), p2cBefore + totals[1], "relay counted peer-to-client datagrams");
    return result;
  }

  private static void assertCounted(DoubleSupplier series, double expected, String what) {
    assertEquals(expected, Metrics.awaitValue(series, expected, 3000), what);
  }
}
