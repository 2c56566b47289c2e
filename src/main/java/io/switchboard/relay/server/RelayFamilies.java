package io.switchboard.relay.server;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.relay.proto.XorAddress;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The address families the relay hands out relayed addresses in (RFC 8656 section 7.2 steps 7-9): for each, where
 * its relay sockets bind and the address clients are told. IPv4 comes from {@code relay.relayHost} (default
 * {@code relay.host}) when that is IPv4, with {@code relay.externalAddress}; IPv6 from {@code relay.relayHost6} with
 * {@code relay.externalAddress6}, or from an IPv6 {@code relay.relayHost} (a relay configured on IPv6 alone).
 */
final class RelayFamilies {

  /** One family's relay sockets: bound on {@code bind}, advertised as {@code advertised} (the NAT's public side). */
  record Side(InetAddress bind, InetAddress advertised) {

    boolean ipv6() {
      return !(bind instanceof Inet4Address);
    }

    int family() {
      return ipv6() ? XorAddress.FAMILY_IPV6 : XorAddress.FAMILY_IPV4;
    }
  }

  private final Side ipv4;
  private final Side ipv6;

  RelayFamilies(Side ipv4, Side ipv6) {
    this.ipv4 = ipv4;
    this.ipv6 = ipv6;
  }

  /** From the validated configuration (IP literals only: no lookup happens). */
  static RelayFamilies of(SwitchboardConfig.Relay config) throws UnknownHostException {
    Side main = side(config.relayHost(), config.externalAddress());
    Side second = config.relayHost6().isEmpty() ? null : side(config.relayHost6(), config.externalAddress6());
    return main.ipv6() ? new RelayFamilies(null, main) : new RelayFamilies(main, second);
  }

  private static Side side(String bind, String external) throws UnknownHostException {
    InetAddress address = InetAddress.getByName(bind);
    return new Side(address, external.isEmpty() ? address : InetAddress.getByName(external));
  }

  /** The side of {@code family} (a REQUESTED-ADDRESS-FAMILY value), or null when the relay has none. */
  Side of(int family) {
    return family == XorAddress.FAMILY_IPV4 ? ipv4 : family == XorAddress.FAMILY_IPV6 ? ipv6 : null;
  }

  Side ipv4() {
    return ipv4;
  }

  Side ipv6() {
    return ipv6;
  }
}
