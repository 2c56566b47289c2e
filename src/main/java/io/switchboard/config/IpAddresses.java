package io.switchboard.config;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

/** What an address in the configuration is, decided from its text alone (no DNS lookup at start-up). */
final class IpAddresses {

  private IpAddresses() {
  }

  /** One IP address (IPv4 or IPv6), not a host name, a block or the wildcard. */
  static boolean isSpecificIp(String text) {
    IPAddress address = parse(text);
    return address != null && !address.isAnyLocal();
  }

  static boolean isWildcard(String text) {
    IPAddress address = parse(text);
    return address != null && address.isAnyLocal();
  }

  /** An IPv6 address (an IPv4-mapped one included: the socket it names is an IPv6 socket). */
  static boolean isIpv6(String text) {
    IPAddress address = parse(text);
    return address != null && address.isIPv6();
  }

  /** {@code localhost}, 127.0.0.0/8 or ::1: reachable from this machine only. */
  static boolean isLoopback(String text) {
    if (text.equalsIgnoreCase("localhost")) {
      return true;
    }
    IPAddress address = parse(text);
    return address != null && address.isLoopback();
  }

  /** The address, or null for anything that is not a single address (a name, a CIDR block, garbage). */
  static IPAddress parse(String text) {
    if (!sanePrefixLength(text)) {
      return null;
    }
    IPAddress address;
    try {
      address = new IPAddressString(text).getAddress();
    } catch (RuntimeException e) {
      return null; // the library's own fault on garbage: see sanePrefixLength
    }
    return address == null || address.isPrefixed() ? null : address;
  }

  /**
   * One IP address or a CIDR block ({@code 10.0.0.0/8}, {@code fd00::/8}); never a host name
   * (relay.allowedPeers, relay.deniedPeers, http.exemptAddresses).
   */
  static boolean isAddressOrBlock(String text) {
    if (!sanePrefixLength(text)) {
      return false;
    }
    try {
      return new IPAddressString(text).isIPAddress();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * False when the text has a prefix length of more than three digits. ipaddress 5.6.2 reads prefix lengths into an
   * int unchecked (found by fuzzing the configuration): {@code 10.0.0.0/2147483648} throws
   * ArrayIndexOutOfBoundsException, and {@code 10.0.0.0/4294967304} wraps around to {@code 10.0.0.0/8}.
   */
  private static boolean sanePrefixLength(String text) {
    int slash = text.lastIndexOf('/');
    if (slash < 0) {
      return true;
    }
    int digits = 0;
    for (int i = slash + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return true; // not a prefix length (a mask, or garbage the library refuses)
      }
      digits++;
    }
    return digits <= 3;
  }
}
