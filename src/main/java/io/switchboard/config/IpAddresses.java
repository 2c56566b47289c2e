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

  /** {@code localhost}, 127.0.0.0/8 or ::1: reachable from this machine only. */
  static boolean isLoopback(String text) {
    if (text.equalsIgnoreCase("localhost")) {
      return true;
    }
    IPAddress address = parse(text);
    return address != null && address.isLoopback();
  }

  /** One IP address or a CIDR block ({@code 10.0.0.0/8}, {@code fd00::/8}); never a host name. */
  static boolean isAddressOrBlock(String text) {
    return new IPAddressString(text).getAddress() != null;
  }

  /** The address, or null for anything that is not a single address (a name, a CIDR block, garbage). */
  static IPAddress parse(String text) {
    IPAddress address = new IPAddressString(text).getAddress();
    return address == null || address.isPrefixed() ? null : address;
  }
}
