package io.switchboard.bench;

import io.switchboard.ice.IceServers;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.StunClient;

import java.util.Arrays;

/**
 * Allocate latency and server CPU per allocation, for loadtest/turn-quota-cost.sh (not a test): N sequential
 * authenticated Allocates (each with its 401 round trip), each from a fresh client port and deleted again, against
 * one relay; the CPU is the nodes' {@code process_cpu_time_ns_total} before and after. The relay's budget for
 * unauthenticated answers must be raised for it, or the 401s stop coming.
 *
 * <pre>java ... io.switchboard.bench.AllocateBench RELAY_PORT TURN_SECRET COUNT HTTP_PORT[,HTTP_PORT...]</pre>
 */
public final class AllocateBench {

  private AllocateBench() {
  }

  // a command-line program: its one line of output is what loadtest/turn-quota-cost.sh reports
  @SuppressWarnings("checkstyle:forbiddenOutput")
  public static void main(String[] args) {
    int relayPort = Integer.parseInt(args[0]);
    String secret = args[1];
    int count = Integer.parseInt(args[2]);
    int[] httpPorts = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
    long[] latencies = new long[count];
    double cpuBefore = cpu(httpPorts);
    for (int i = 0; i < count; i++) {
      String username = (System.currentTimeMillis() / 1000 + 3600 + i % 600) + ":bench";
      try (StunClient client = new StunClient(relayPort)
        .credentials(username, IceServers.restCredential(secret, username))) {
        long start = System.nanoTime();
        int code = client.request(Method.ALLOCATE, w -> RequestedTransport.write(w, RequestedTransport.UDP))
          .errorCode();
        latencies[i] = System.nanoTime() - start;
        if (code != 0) {
          throw new IllegalStateException("Allocate answered " + code);
        }
        client.request(Method.REFRESH, w -> Lifetime.write(w, 0));
      }
    }
    double cpuNanos = cpu(httpPorts) - cpuBefore;
    Arrays.sort(latencies);
    System.out.printf("allocations=%d p50_ms=%.3f p99_ms=%.3f cpu_us_per_allocation=%.1f%n", count,
      latencies[count / 2] / 1e6, latencies[(int) (count * 0.99)] / 1e6, cpuNanos / 1e3 / count);
  }

  private static double cpu(int[] httpPorts) {
    double total = 0;
    for (int port : httpPorts) {
      total += Metrics.value(port, "process_cpu_time_ns_total");
    }
    return total;
  }
}
