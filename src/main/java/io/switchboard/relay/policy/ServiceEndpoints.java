package io.switchboard.relay.policy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The (address, port) pairs the relay must never relay to: every Switchboard listener of this node and of the
 * other cluster members (STUN/TURN, HTTP, Hazelcast, event bus) on every address it answers on. A client pointing
 * its allocation at the relay's own listener would hide its origin behind the relay (a loop), and at the other
 * services would reach what only members should. Checked on top of the address policy, whatever
 * {@code relay.allowedPeers} says. Read from the relay's event loops, written when members come and go.
 */
public final class ServiceEndpoints {

  private volatile Set<InetSocketAddress> own = Set.of();
  private final Map<String, Set<InetSocketAddress>> members = new ConcurrentHashMap<>();
  private volatile Set<InetSocketAddress> all = Set.of();

  /** Whether {@code peer} is one of the listeners; IPv4-mapped IPv6 peers are compared as IPv4. */
  public boolean contains(InetSocketAddress peer) {
    Set<InetSocketAddress> current = all;
    return !current.isEmpty() && current.contains(normalized(peer));
  }

  /** This node's own listeners. */
  public synchronized void own(Set<InetSocketAddress> endpoints) {
    own = normalizedCopy(endpoints);
    rebuild();
  }

  /** Another member's listeners, replacing what was known of it. */
  public synchronized void member(String nodeId, Set<InetSocketAddress> endpoints) {
    members.put(nodeId, normalizedCopy(endpoints));
    rebuild();
  }

  public synchronized void memberGone(String nodeId) {
    if (members.remove(nodeId) != null) {
      rebuild();
    }
  }

  /** Every listener known now (for tests and logs). */
  public Set<InetSocketAddress> all() {
    return all;
  }

  private void rebuild() {
    Set<InetSocketAddress> union = new HashSet<>(own);
    members.values().forEach(union::addAll);
    all = Set.copyOf(union);
  }

  private static Set<InetSocketAddress> normalizedCopy(Set<InetSocketAddress> endpoints) {
    Set<InetSocketAddress> out = new HashSet<>();
    endpoints.forEach(e -> out.add(normalized(e)));
    return out;
  }

  /** {@code ::ffff:a.b.c.d} is a.b.c.d: the same listener, whichever form the client wrote. */
  static InetSocketAddress normalized(InetSocketAddress endpoint) {
    InetAddress address = endpoint.getAddress();
    if (address instanceof Inet6Address v6) {
      byte[] bytes = v6.getAddress();
      boolean mapped = true;
      for (int i = 0; i < 10 && mapped; i++) {
        mapped = bytes[i] == 0;
      }
      if (mapped && bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff) {
        try {
          return new InetSocketAddress(Inet4Address.getByAddress(new byte[] {bytes[12], bytes[13], bytes[14],
            bytes[15]}), endpoint.getPort());
        } catch (UnknownHostException impossible) {
          throw new IllegalStateException(impossible);
        }
      }
    }
    return endpoint;
  }
}
