package io.switchboard.signaling.http;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv6.IPv6Address;

import java.util.List;

/**
 * What counts as one client for the per-address limits: an IPv4 address, or an IPv6 /64 (one subscriber
 * usually holds a whole /64 and can pick any address in it). Addresses in {@code http.exemptAddresses} —
 * reverse proxies, each carrying many clients — count as nobody.
 */
final class ClientAddresses {

  /** Bits of an IPv6 address that name one subscriber. */
  static final int IPV6_PREFIX = 64;

  private final List<IPAddress> exempt;

  ClientAddresses(List<String> exemptBlocks) {
    this.exempt = exemptBlocks.stream().map(b -> new IPAddressString(b).getAddress().toPrefixBlock()).toList();
  }

  /** The key the limits count {@code ip} under; null when exempt or not an IP address. */
  String key(String ip) {
    IPAddress address = ip == null ? null : new IPAddressString(ip).getAddress();
    if (address == null) {
      return null;
    }
    if (address instanceof IPv6Address v6 && v6.isIPv4Mapped()) {
      address = v6.getEmbeddedIPv4Address(); // a dual-stack listener sees IPv4 clients in this form
    }
    address = address.withoutPrefixLength();
    for (IPAddress block : exempt) {
      if (block.contains(address)) {
        return null;
      }
    }
    return address.isIPv6() ? address.toPrefixBlock(IPV6_PREFIX).toCanonicalString()
      : address.toCanonicalString();
  }
}
