package io.switchboard.relay.policy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("default peer policy")
class IpRangePeerPolicyTest {

  private static final IpRangePeerPolicy DEFAULT = new IpRangePeerPolicy(List.of(), List.of());

  /** Builds IPv6 forms byte for byte: Java would turn ::ffff:a.b.c.d into an IPv4 address. */
  private static InetAddress v6(String address) throws Exception {
    return Inet6Address.getByAddress(null, InetAddress.getByName(address).getAddress().length == 16
      ? InetAddress.getByName(address).getAddress() : mapped(InetAddress.getByName(address).getAddress()), -1);
  }

  private static byte[] mapped(byte[] v4) {
    byte[] out = new byte[16];
    out[10] = (byte) 0xff;
    out[11] = (byte) 0xff;
    System.arraycopy(v4, 0, out, 12, 4);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"127.0.0.1", "127.255.0.9", "0.0.0.0", "0.1.2.3", "10.1.2.3", "172.16.0.1", "172.31.255.255",
    "192.168.0.1", "100.64.0.1", "100.127.255.254", "169.254.169.254", "169.254.0.1", "224.0.0.1", "239.255.255.250",
    "255.255.255.255", "240.0.0.1", "198.18.0.1", "192.0.0.8", "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1",
    "ff02::1", "fec0::1", "64:ff9b:1::1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:0a00:0001::1",
    "2002:c0a8:0101::", "::7f00:1", "192.0.2.1", "198.51.100.7", "203.0.113.9", "192.88.99.1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:2::1", "2001:20::1", "2001:db8::1", "3fff::1"})
  @DisplayName("internal, special-purpose (documentation, 6to4 relays, Teredo, ORCHID) and IPv4-embedding forms "
    + "are denied")
  void denied(String address) throws Exception {
    assertFalse(DEFAULT.allowed(InetAddress.getByName(address)), address);
  }

  @ParameterizedTest(name = "::ffff:{0}")
  @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "169.254.169.254", "0.0.0.0", "192.168.1.1", "100.64.0.1",
    "172.16.0.1", "224.0.0.251", "255.255.255.255", "192.0.2.1", "198.18.0.1"})
  @DisplayName("IPv4-mapped IPv6 forms are unwrapped and denied")
  void mappedDenied(String address) throws Exception {
    InetAddress mapped = v6(address);
    assertTrue(mapped instanceof Inet6Address);
    assertFalse(DEFAULT.allowed(mapped), "::ffff:" + address);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888",
    "2606:4700::1111", "64:ff9b::808:808", "2002:0808:0808::1"})
  @DisplayName("public addresses (also NAT64 and 6to4 forms of public IPv4) are allowed")
  void allowed(String address) throws Exception {
    assertTrue(DEFAULT.allowed(InetAddress.getByName(address)), address);
  }

  @Test
  @DisplayName("an allow block wins over the built-in denies, for both forms; a deny block adds to them")
  void configured() throws Exception {
    IpRangePeerPolicy policy = new IpRangePeerPolicy(List.of("127.0.0.0/8", "10.20.0.0/16"),
      List.of("8.8.8.0/24", "2a00:1450:bad::/48"));
    assertTrue(policy.allowed(InetAddress.getByName("127.0.0.1")));
    assertTrue(policy.allowed(v6("127.0.0.1")));
    assertTrue(policy.allowed(InetAddress.getByName("10.20.3.4")));
    assertFalse(policy.allowed(InetAddress.getByName("10.21.3.4")));
    assertFalse(policy.allowed(InetAddress.getByName("::1")), "::1 is not in 127.0.0.0/8");
    assertFalse(policy.allowed(InetAddress.getByName("8.8.8.8")));
    assertFalse(policy.allowed(InetAddress.getByName("2a00:1450:bad::1")));
    assertTrue(policy.allowed(InetAddress.getByName("2a00:1450:900d::1")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"fe80::1%1", "fe80::abcd:ef01:2345:6789", "febf::1", "fc00::", "fdff:ffff::1", "ff0e::1",
    "ff05::1:3", "100::1", "2001:10::1", "::0.0.0.1", "64:ff9b::a00:1", "64:ff9b:1:fffe::1"})
  @DisplayName("more IPv6 forms relaying must not reach: link-local (with a zone too), unique-local, multicast of "
    + "every scope, discard-only, ORCHID, IPv4-compatible and NAT64 forms of denied IPv4")
  void moreIpv6Denied(String address) throws Exception {
    assertFalse(DEFAULT.allowed(InetAddress.getByName(address)), address);
  }

  @Test
  @DisplayName("IPv4-mapped forms of public addresses are allowed; relay.deniedPeers' IPv4 blocks deny their mapped, "
    + "NAT64 and 6to4 forms too")
  void mappedFormsFollowTheIpv4Policy() throws Exception {
    assertTrue(DEFAULT.allowed(v6("8.8.8.8")));
    IpRangePeerPolicy policy = new IpRangePeerPolicy(List.of(), List.of("8.8.8.0/24"));
    assertFalse(policy.allowed(v6("8.8.8.8")));
    assertFalse(policy.allowed(InetAddress.getByName("64:ff9b::808:808")));
    assertFalse(policy.allowed(InetAddress.getByName("2002:0808:0808::1")));
    assertTrue(policy.allowed(v6("8.8.4.4")));
  }

  @Test
  @DisplayName("allowing ::1 (as the IPv6 relay tests do) opens ::1 alone: not other IPv6 internals, not IPv4 "
    + "loopback, not its mapped form")
  void ipv6LoopbackAllowance() throws Exception {
    IpRangePeerPolicy policy = new IpRangePeerPolicy(List.of("::1"), List.of());
    assertTrue(policy.allowed(InetAddress.getByName("::1")));
    assertTrue(policy.allowed(new InetSocketAddress("::1", 4000)));
    for (String denied : new String[]{"::2", "fe80::1", "fd00::1", "127.0.0.1"}) {
      assertFalse(policy.allowed(InetAddress.getByName(denied)), denied);
    }
    assertFalse(policy.allowed(v6("127.0.0.1")), "::ffff:127.0.0.1");
  }

  @Test
  @DisplayName("a node's service listeners are refused with their port, whatever the address policy allows")
  void serviceEndpoints() throws Exception {
    ServiceEndpoints services = new ServiceEndpoints();
    IpRangePeerPolicy policy = new IpRangePeerPolicy(List.of("127.0.0.0/8"), List.of(), services);
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    services.own(java.util.Set.of(new InetSocketAddress(loopback, 3478), new InetSocketAddress(loopback, 8080)));
    services.member("n2", java.util.Set.of(new InetSocketAddress("8.8.8.8", 5701)));
    assertFalse(policy.allowed(new InetSocketAddress(loopback, 3478)), "the relay's own listener: a loop");
    assertFalse(policy.allowed(new InetSocketAddress(loopback, 8080)));
    assertFalse(policy.allowed(new InetSocketAddress(v6("127.0.0.1"), 3478)), "the IPv4-mapped form too");
    assertFalse(policy.allowed(new InetSocketAddress("8.8.8.8", 5701)), "another member's Hazelcast port");
    assertTrue(policy.allowed(new InetSocketAddress(loopback, 3479)), "another port of an allowed address");
    assertTrue(policy.allowed(new InetSocketAddress("8.8.8.8", 5702)));
    services.memberGone("n2");
    assertTrue(policy.allowed(new InetSocketAddress("8.8.8.8", 5701)), "a member that left no longer counts");
  }
}
