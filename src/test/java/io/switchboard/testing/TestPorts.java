package io.switchboard.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on loopback in 20000-29999: below Linux's outgoing-port range (32768-60999), so a busy
 * machine's client sockets never take them between our probe and the server's bind.
 */
public final class TestPorts {

  private TestPorts() {
  }

  public static int freePort() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20000, 30000);
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        probe.setReuseAddress(true);
        return port;
      } catch (IOException busy) {
        // try another
      }
    }
    throw new IllegalStateException("no free port in 20000-29999");
  }

  /**
   * The first port of {@code count} consecutive ports in 20000-29999 that are free for both UDP and TCP on loopback
   * right now (relay listeners, relay-port ranges, turnutils_peer's two ports). The start is random, so concurrent
   * test runs on this machine rarely pick the same block; a taken port moves the search on.
   */
  public static int freeUdpBlock(int count) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20000, 30000 - count);
      boolean free = true;
      for (int port = base; port < base + count && free; port++) {
        free = udpFree(port) && tcpFree(port);
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no " + count + " free UDP ports in a row in 20000-29999");
  }

  /** ::1 when this machine has it (relays listen and relay there too, on ports of the same block); else null. */
  private static final InetAddress IPV6_LOOPBACK = ipv6Loopback();

  private static InetAddress ipv6Loopback() {
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("::1", 0))) {
      return probe.getLocalAddress();
    } catch (SocketException unavailable) {
      return null;
    }
  }

  private static boolean udpFree(int port) {
    return udpFree(InetAddress.getLoopbackAddress(), port) && (IPV6_LOOPBACK == null || udpFree(IPV6_LOOPBACK, port));
  }

  private static boolean udpFree(InetAddress address, int port) {
    try (DatagramSocket probe = new DatagramSocket(null)) {
      probe.bind(new InetSocketAddress(address, port));
      return true;
    } catch (SocketException busy) {
      return false;
    }
  }

  private static boolean tcpFree(int port) {
    try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException busy) {
      return false;
    }
  }
}
