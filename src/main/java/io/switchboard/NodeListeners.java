package io.switchboard;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.switchboard.config.SwitchboardConfig;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where this node's services listen: every address a listener answers on (a wildcard bind answers on all of the
 * machine's addresses; the relay's external address is where clients reach it) and the ports of the STUN/TURN
 * listener, HTTP, Hazelcast and the event bus. The relay refuses to relay to these, and a member tells the
 * others about its own in a Hazelcast member attribute ({@link #describe}) so they refuse them too.
 */
final class NodeListeners {

  /** Member attribute: {@code address,address,...|port,port,...}. */
  static final String ATTRIBUTE = "switchboard.services";

  private NodeListeners() {
  }

  /** @param extraPorts ports known only once started (Hazelcast's, the event bus's); 0 entries are ignored */
  static Set<InetSocketAddress> of(SwitchboardConfig config, int... extraPorts) {
    return product(addresses(config), ports(config, extraPorts));
  }

  /** The attribute value for {@code config}: the ports fixed in the configuration. */
  static String describe(SwitchboardConfig config) {
    List<String> hosts = new ArrayList<>();
    addresses(config).forEach(a -> hosts.add(a.getHostAddress()));
    List<String> ports = new ArrayList<>();
    ports(config).forEach(p -> ports.add(Integer.toString(p)));
    return String.join(",", hosts) + "|" + String.join(",", ports);
  }

  /** Parses {@link #describe}'s format; what does not parse is left out (it comes from another member). */
  static Set<InetSocketAddress> parse(String attribute) {
    if (attribute == null || attribute.indexOf('|') < 0) {
      return Set.of();
    }
    Set<InetAddress> addresses = new LinkedHashSet<>();
    for (String host : attribute.substring(0, attribute.indexOf('|')).split(",")) {
      InetAddress address = literal(host);
      if (address != null) {
        addresses.add(address);
      }
    }
    Set<Integer> ports = new LinkedHashSet<>();
    for (String port : attribute.substring(attribute.indexOf('|') + 1).split(",")) {
      try {
        int value = Integer.parseInt(port);
        if (value > 0 && value <= 65535) {
          ports.add(value);
        }
      } catch (NumberFormatException ignored) {
        // not a port
      }
    }
    return product(addresses, ports);
  }

  private static Set<InetSocketAddress> product(Set<InetAddress> addresses, Set<Integer> ports) {
    Set<InetSocketAddress> out = new LinkedHashSet<>();
    for (InetAddress address : addresses) {
      for (int port : ports) {
        out.add(new InetSocketAddress(address, port));
      }
    }
    return out;
  }

  private static Set<Integer> ports(SwitchboardConfig config, int... extra) {
    Set<Integer> ports = new LinkedHashSet<>();
    if (config.relay().enabled()) {
      ports.add(config.relay().port());
    }
    ports.add(config.http().port());
    if (config.cluster().enabled()) {
      ports.add(config.cluster().port());
      ports.add(config.cluster().eventBusPort());
    }
    for (int port : extra) {
      ports.add(port);
    }
    ports.remove(0);
    return ports;
  }

  private static Set<InetAddress> addresses(SwitchboardConfig config) {
    Set<InetAddress> out = new LinkedHashSet<>();
    List<String> hosts = new ArrayList<>(List.of(config.http().host()));
    if (config.relay().enabled()) {
      hosts.add(config.relay().host());
      hosts.add(config.relay().relayHost());
      hosts.add(config.relay().externalAddress());
      hosts.add(config.relay().host6());
      hosts.add(config.relay().relayHost6());
      hosts.add(config.relay().externalAddress6());
    }
    if (config.cluster().enabled()) {
      hosts.add(config.cluster().host());
    }
    for (String host : hosts) {
      InetAddress address = literal(host);
      if (address == null) {
        continue;
      }
      if (address.isAnyLocalAddress()) {
        out.addAll(machineAddresses());
      } else {
        out.add(address);
      }
    }
    return out;
  }

  /** An IP literal, or null (an empty key, a name): never a DNS lookup. */
  private static InetAddress literal(String host) {
    IPAddress address = host == null ? null : new IPAddressString(host).getAddress();
    return address == null || address.isPrefixed() ? null : address.toInetAddress();
  }

  private static Set<InetAddress> machineAddresses() {
    Set<InetAddress> out = new LinkedHashSet<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        out.addAll(Collections.list(nic.getInetAddresses()));
      }
    } catch (SocketException e) {
      // no interface list: the explicit addresses still count
    }
    return out;
  }
}
