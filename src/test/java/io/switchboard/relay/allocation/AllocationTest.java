package io.switchboard.relay.allocation;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("allocation state: permissions, channels, lifetimes")
class AllocationTest {

  private static final long SECOND = 1_000_000_000L;
  private final InetSocketAddress client = new InetSocketAddress("198.51.100.1", 5000);

  private Allocation allocation() {
    return new Allocation(new TupleOnly(new FiveTuple(client, new InetSocketAddress("192.0.2.1", 3478))), "u", "u",
      new byte[12], Long.MAX_VALUE, new Bandwidth(0, 0));
  }

  /** A client known by its five-tuple only: nothing is ever written to it in these tests. */
  record TupleOnly(FiveTuple fiveTuple) implements ClientPath {

    @Override
    public ClientTransport transport() {
      return fiveTuple.transport();
    }

    @Override
    public InetSocketAddress address() {
      return fiveTuple.client();
    }

    @Override
    public io.netty.channel.Channel channel() {
      throw new UnsupportedOperationException("no channel in this test");
    }

    @Override
    public Object frame(io.netty.buffer.ByteBuf message) {
      throw new UnsupportedOperationException("no channel in this test");
    }
  }

  @Test
  @DisplayName("allocation lifetime: default when absent or lower, capped at the maximum")
  void allocationLifetime() {
    assertEquals(600, Lifetimes.allocationSeconds(-1, 600, 3600));
    assertEquals(600, Lifetimes.allocationSeconds(30, 600, 3600));
    assertEquals(1200, Lifetimes.allocationSeconds(1200, 600, 3600));
    assertEquals(3600, Lifetimes.allocationSeconds(99999, 600, 3600));
  }

  @Test
  @DisplayName("a permission lasts 300 s, is refreshed by permit, and is swept after")
  void permissions() throws Exception {
    Allocation a = allocation();
    InetAddress peer = InetAddress.getByName("203.0.113.5");
    assertEquals(Allocation.PermitResult.CREATED, a.permit(peer, 0));
    assertTrue(a.permitted(peer, 299 * SECOND));
    assertFalse(a.permitted(peer, 300 * SECOND));
    assertEquals(Allocation.PermitResult.REFRESHED, a.permit(peer, 200 * SECOND));
    assertTrue(a.permitted(peer, 499 * SECOND));
    a.sweep(500 * SECOND);
    assertEquals(0, a.permissionCount());
  }

  @Test
  @DisplayName("a permission table is bounded")
  void permissionBound() throws Exception {
    Allocation a = allocation();
    for (int i = 0; i < Lifetimes.MAX_PERMISSIONS_PER_ALLOCATION; i++) {
      InetAddress peer = InetAddress.getByAddress(new byte[]{8, 8, 0, (byte) i});
      assertEquals(Allocation.PermitResult.CREATED, a.permit(peer, 0));
    }
    assertEquals(Allocation.PermitResult.TOO_MANY, a.permit(InetAddress.getByName("9.9.9.9"), 0));
  }

  @Test
  @DisplayName("a channel lasts 600 s; number and peer stay paired; rebinding refreshes; sweeping frees both")
  void channels() {
    Allocation a = allocation();
    InetSocketAddress peer = new InetSocketAddress("203.0.113.5", 4000);
    InetSocketAddress other = new InetSocketAddress("203.0.113.5", 4001);
    assertEquals(Allocation.BindResult.CREATED, a.bind(0x4000, peer, 0));
    assertEquals(Allocation.BindResult.CONFLICT, a.bind(0x4000, other, 0));
    assertEquals(Allocation.BindResult.CONFLICT, a.bind(0x4001, peer, 0));
    assertEquals(Allocation.BindResult.REFRESHED, a.bind(0x4000, peer, 100 * SECOND));
    assertNotNull(a.channel(0x4000, 699 * SECOND));
    assertNotNull(a.channelFor(peer, 699 * SECOND));
    assertNull(a.channel(0x4000, 700 * SECOND));
    a.sweep(700 * SECOND);
    assertEquals(0, a.channelCount());
    assertEquals(Allocation.BindResult.CREATED, a.bind(0x4001, peer, 700 * SECOND));
  }

  @Test
  @DisplayName("the manager sweeps expired allocations and keeps live ones")
  void manager() {
    AllocationManager manager = new AllocationManager();
    Allocation a = allocation();
    a.relayBound(new io.netty.channel.embedded.EmbeddedChannel(), client);
    manager.add(a);
    a.expiresIn(10, 0);
    assertEquals(0, manager.sweep(9 * SECOND).size());
    assertEquals(1, manager.sweep(10 * SECOND).size());
    assertEquals(0, manager.size());
  }

  @Test
  @DisplayName("a dual allocation: a relay socket per family, peers reach the one of their family; dropping IPv6 "
    + "closes its socket and takes its permissions and channels, the IPv4 ones stay")
  void dualAllocation() throws Exception {
    Allocation a = allocation();
    io.netty.channel.embedded.EmbeddedChannel relay4 = new io.netty.channel.embedded.EmbeddedChannel();
    io.netty.channel.embedded.EmbeddedChannel relay6 = new io.netty.channel.embedded.EmbeddedChannel();
    assertTrue(a.pending());
    a.relayBound(relay4, new InetSocketAddress("192.0.2.1", 61000));
    a.relayBound(relay6, new InetSocketAddress("2001:db8::1", 61001));
    assertFalse(a.pending());
    assertTrue(a.dual());
    InetSocketAddress peer4 = new InetSocketAddress("203.0.113.5", 7000);
    InetSocketAddress peer6 = new InetSocketAddress("2001:db8::5", 7000);
    assertEquals(relay4, a.relayFor(peer4.getAddress()));
    assertEquals(relay6, a.relayFor(peer6.getAddress()));
    assertEquals(new InetSocketAddress("192.0.2.1", 61000), a.relayedAddress());
    a.permit(peer4.getAddress(), 0);
    a.permit(peer6.getAddress(), 0);
    assertEquals(Allocation.BindResult.CREATED, a.bind(0x4000, peer4, 0));
    assertEquals(Allocation.BindResult.CREATED, a.bind(0x4001, peer6, 0));

    a.dropFamily(true);
    assertFalse(relay6.isOpen());
    assertTrue(relay4.isOpen());
    assertFalse(a.dual());
    assertNull(a.relayFor(peer6.getAddress()));
    assertFalse(a.relaysFamilyOf(peer6.getAddress()));
    assertNull(a.relayedAddress(true));
    assertFalse(a.hasPermissionEntry(peer6.getAddress()));
    assertNull(a.channel(0x4001, 0));
    assertNull(a.channelFor(peer6, 0));
    assertTrue(a.permitted(peer4.getAddress(), 0));
    assertNotNull(a.channel(0x4000, 0));
    assertEquals(1, a.channelCount());
    assertEquals(Allocation.BindResult.CREATED, a.bind(0x4001, new InetSocketAddress("203.0.113.6", 7000), 0),
      "the dropped channel's number is free again");
    a.close();
    assertFalse(relay4.isOpen());
  }

  @Test
  @DisplayName("bandwidth: one second of burst, then the configured rate; zero means no cap")
  void bandwidth() {
    Bandwidth capped = new Bandwidth(8000, 0);
    assertTrue(capped.tryTake(1000, 0));
    assertFalse(capped.tryTake(1, 0));
    assertTrue(capped.tryTake(500, SECOND / 2));
    assertTrue(new Bandwidth(0, 0).tryTake(1_000_000, 0));
  }
}
