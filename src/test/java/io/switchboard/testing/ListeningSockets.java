package io.switchboard.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets a process listens on, read from the kernel as {@code ss -ltnp} would: the process's socket
 * inodes from {@code /proc/PID/fd}, matched against the LISTEN rows of {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6}.
 */
public final class ListeningSockets {

  private static final String LISTEN = "0A";

  private ListeningSockets() {
  }

  /** One listening socket: its local address and port. */
  public record Listener(InetAddress address, int port) {
    @Override
    public String toString() {
      return address.getHostAddress() + ":" + port;
    }
  }

  public static List<Listener> of(long pid) {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      fds.forEach(fd -> {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException gone) {
          // the descriptor closed while listing
        }
      });
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/fd", e);
    }
    List<Listener> listeners = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        List<String> rows = Files.readAllLines(Path.of(table));
        for (String line : rows.subList(1, rows.size())) {
          String[] fields = line.trim().split("\\s+");
          if (fields[3].equals(LISTEN) && inodes.contains(fields[9])) {
            String[] local = fields[1].split(":");
            listeners.add(new Listener(address(local[0]), Integer.parseInt(local[1], 16)));
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + table, e);
      }
    }
    return listeners;
  }

  /** The kernel prints addresses as 32-bit words in host (little-endian) order. */
  private static InetAddress address(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = (word * 4 + (3 - i)) * 2;
        bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
