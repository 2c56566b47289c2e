package io.switchboard.relay.policy;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The default peer policy: no relaying to or from addresses a relay must not reach on the operator's behalf —
 * loopback, unspecified, "this network", link-local (cloud metadata at 169.254.169.254 included), private,
 * carrier-grade NAT, benchmarking, multicast, broadcast and reserved IPv4; IPv6 unspecified, loopback,
 * unique-local, link-local, site-local, multicast, discard-only and the local-use NAT64 prefix.
 *
 * <p>IPv6 forms that carry an IPv4 address — IPv4-mapped ({@code ::ffff:a.b.c.d}), IPv4-compatible
 * ({@code ::a.b.c.d}), NAT64 ({@code 64:ff9b::a.b.c.d}) and 6to4 ({@code 2002:AABB:CCDD::}) — are unwrapped and the
 * IPv4 address is checked as well: either form being denied denies. {@code allowed} blocks (operator's
 * {@code relay.allowedPeers}) win over every deny, and are matched against both forms too; {@code denied}
 * blocks ({@code relay.deniedPeers}) are added to the built-in list.
 *
 * <p>Where a port is known (ChannelBind, Send), the {@link ServiceEndpoints} of this node and the other members
 * are refused whatever the address policy allows.
 */
public final class IpRangePeerPolicy implements PeerPolicy {

  /** Always denied unless explicitly allowed. */
  public static final List<String> BUILT_IN_DENIED = List.of(
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
    // documentation (TEST-NET-1, -2, -3) and the retired 6to4 relay anycast block: never a real peer
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "192.88.99.0/24",
    "::/128", "::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8", "100::/64", "64:ff9b:1::/48",
    // Teredo (it tunnels to an IPv4 address the policy cannot see), benchmarking, ORCHID, documentation
    "2001::/32", "2001:2::/48", "2001:10::/28", "2001:20::/28", "2001:db8::/32", "3fff::/20");

  private static final IPAddress NAT64 = new IPAddressString("64:ff9b::/96").getAddress();

  private final List<IPAddress> allowed;
  private final List<IPAddress> denied;
  private final ServiceEndpoints services;

  public IpRangePeerPolicy(List<String> allowedBlocks, List<String> deniedBlocks) {
    this(allowedBlocks, deniedBlocks, new ServiceEndpoints());
  }

  public IpRangePeerPolicy(List<String> allowedBlocks, List<String> deniedBlocks, ServiceEndpoints services) {
    this.services = services;
    this.allowed = parse(allowedBlocks);
    List<String> all = new ArrayList<>(BUILT_IN_DENIED);
    all.addAll(deniedBlocks);
    this.denied = parse(all);
  }

  private static List<IPAddress> parse(List<String> blocks) {
    List<IPAddress> out = new ArrayList<>();
    for (String block : blocks) {
      IPAddress address = new IPAddressString(block).getAddress();
      if (address == null) {
        throw new IllegalArgumentException("not an address block: " + block);
      }
      out.add(address.toPrefixBlock());
    }
    return List.copyOf(out);
  }

  @Override
  public boolean allowed(InetAddress peer) {
    IPAddress address = peer instanceof Inet4Address ? new IPv4Address(peer.getAddress())
      : new IPv6Address(peer.getAddress());
    IPAddress embedded = embeddedIpv4(address);
    if (matches(allowed, address) || (embedded != null && matches(allowed, embedded))) {
      return true;
    }
    return !matches(denied, address) && (embedded == null || !matches(denied, embedded));
  }

  @Override
  public boolean allowed(InetSocketAddress peer) {
    return !services.contains(peer) && allowed(peer.getAddress());
  }

  /** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), or null. */
  static IPAddress embeddedIpv4(IPAddress address) {
    if (!(address instanceof IPv6Address v6)) {
      return null;
    }
    if (v6.isIPv4Mapped() || v6.isIPv4Compatible()) {
      return v6.getEmbeddedIPv4Address();
    }
    if (NAT64.contains(v6)) {
      return v6.getEmbeddedIPv4Address();
    }
    if (v6.is6To4()) {
      return v6.get6To4IPv4Address();
    }
    return null;
  }

  private static boolean matches(List<IPAddress> blocks, IPAddress address) {
    for (IPAddress block : blocks) {
      if (block.getIPVersion() == address.getIPVersion() && block.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
