package io.switchboard.signaling.http;

import io.switchboard.config.SwitchboardConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("ConnectionLimits: per-address connection cap and upgrade bucket, on a controlled clock")
class ConnectionLimitsTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private static SwitchboardConfig.Http http(int maxConnections, int upgradesPerSecond, int burst,
                                            List<String> exempt) {
    return new SwitchboardConfig.Http("127.0.0.1", 0, 1, List.of(), "webroot", 10, 75, maxConnections,
      upgradesPerSecond, burst, exempt, SwitchboardConfig.HttpTls.off());
  }

  private ConnectionLimits limits(int maxConnections, int upgradesPerSecond, int burst) {
    return new ConnectionLimits(http(maxConnections, upgradesPerSecond, burst, List.of()), now::get);
  }

  private void advanceMillis(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  @Nested
  @DisplayName("connection cap")
  class Cap {

    @Test
    @DisplayName("refuses the connection beyond the cap from one address, not from another; a release frees a slot")
    void capPerAddress() {
      ConnectionLimits limits = limits(3, 10, 10);
      List<ConnectionLimits.Lease> held = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ConnectionLimits.Lease lease = limits.acquire("203.0.113.7");
        assertNotNull(lease);
        held.add(lease);
      }
      assertNull(limits.acquire("203.0.113.7"));
      assertNotNull(limits.acquire("203.0.113.8"));
      held.get(0).release();
      assertNotNull(limits.acquire("203.0.113.7"));
      assertNull(limits.acquire("203.0.113.7"));
      assertEquals(4, limits.openConnections());
    }

    @Test
    @DisplayName("a lease released twice frees one slot only")
    void releaseIdempotent() {
      ConnectionLimits limits = limits(2, 10, 10);
      ConnectionLimits.Lease first = limits.acquire("203.0.113.7");
      limits.acquire("203.0.113.7");
      first.release();
      first.release();
      assertNotNull(limits.acquire("203.0.113.7"));
      assertNull(limits.acquire("203.0.113.7"), "a double release must not open a second slot");
    }

    @Test
    @DisplayName("IPv6 addresses of one /64 share the cap; another /64 does not")
    void ipv6Prefix() {
      ConnectionLimits limits = limits(2, 10, 10);
      assertNotNull(limits.acquire("2001:db8:1:2::1"));
      assertNotNull(limits.acquire("2001:db8:1:2:ffff::9"));
      assertNull(limits.acquire("2001:db8:1:2::abcd"));
      assertNotNull(limits.acquire("2001:db8:1:3::1"));
    }

    @Test
    @DisplayName("an IPv4-mapped IPv6 address counts as the IPv4 address")
    void ipv4Mapped() {
      ConnectionLimits limits = limits(1, 10, 10);
      assertNotNull(limits.acquire("203.0.113.7"));
      assertNull(limits.acquire("::ffff:203.0.113.7"));
    }

    @Test
    @DisplayName("exempt addresses are never capped and hold no state; 0 turns the cap off")
    void exemptAndOff() {
      ConnectionLimits limits = new ConnectionLimits(http(1, 10, 10, List.of("10.0.0.0/8", "::1")), now::get);
      for (int i = 0; i < 5; i++) {
        assertNotNull(limits.acquire("10.1.2.3"));
        assertNotNull(limits.acquire("::1"));
      }
      assertEquals(0, limits.trackedAddresses());
      ConnectionLimits off = limits(0, 0, 1);
      for (int i = 0; i < 5; i++) {
        assertNotNull(off.acquire("203.0.113.7"));
      }
      assertEquals(0, off.trackedAddresses());
    }
  }

  @Nested
  @DisplayName("upgrade bucket")
  class Bucket {

    @Test
    @DisplayName("allows the burst at once, then refills at the configured rate")
    void burstThenRefill() {
      ConnectionLimits limits = limits(0, 2, 5);
      ConnectionLimits.Lease lease = limits.acquire("203.0.113.7");
      for (int i = 0; i < 5; i++) {
        assertTrue(lease.tryUpgrade(), "upgrade " + i + " is within the burst");
      }
      assertFalse(lease.tryUpgrade());
      advanceMillis(499);
      assertFalse(lease.tryUpgrade(), "half a token after 499 ms at 2/s");
      advanceMillis(1);
      assertTrue(lease.tryUpgrade(), "one token after 500 ms at 2/s");
      assertFalse(lease.tryUpgrade());
      advanceMillis(60_000);
      for (int i = 0; i < 5; i++) {
        assertTrue(lease.tryUpgrade(), "the bucket refills up to the burst, no further");
      }
      assertFalse(lease.tryUpgrade());
    }

    @Test
    @DisplayName("is per address: shared by the address's connections, not by another address")
    void perAddress() {
      ConnectionLimits limits = limits(0, 1, 2);
      ConnectionLimits.Lease a1 = limits.acquire("203.0.113.7");
      ConnectionLimits.Lease a2 = limits.acquire("203.0.113.7");
      ConnectionLimits.Lease b = limits.acquire("198.51.100.1");
      assertTrue(a1.tryUpgrade());
      assertTrue(a2.tryUpgrade());
      assertFalse(a1.tryUpgrade());
      assertFalse(a2.tryUpgrade());
      assertTrue(b.tryUpgrade());
    }

    @Test
    @DisplayName("closing every connection does not reset a drained bucket")
    void noResetByReconnecting() {
      ConnectionLimits limits = limits(0, 1, 2);
      ConnectionLimits.Lease lease = limits.acquire("203.0.113.7");
      assertTrue(lease.tryUpgrade());
      assertTrue(lease.tryUpgrade());
      lease.release();
      limits.sweep();
      ConnectionLimits.Lease again = limits.acquire("203.0.113.7");
      assertFalse(again.tryUpgrade());
    }

    @Test
    @DisplayName("0 upgrades per second turns the limit off")
    void off() {
      ConnectionLimits.Lease lease = limits(0, 0, 1).acquire("203.0.113.7");
      for (int i = 0; i < 100; i++) {
        assertTrue(lease.tryUpgrade());
      }
    }
  }

  @Nested
  @DisplayName("bounded memory")
  class Memory {

    @Test
    @DisplayName("an address's entry goes when its last connection closes with a full bucket")
    void droppedOnLastRelease() {
      ConnectionLimits limits = limits(10, 10, 10);
      ConnectionLimits.Lease a = limits.acquire("203.0.113.7");
      ConnectionLimits.Lease b = limits.acquire("203.0.113.7");
      assertEquals(1, limits.trackedAddresses());
      a.release();
      assertEquals(1, limits.trackedAddresses());
      b.release();
      assertEquals(0, limits.trackedAddresses());
      assertEquals(0, limits.openConnections());
    }

    @Test
    @DisplayName("a drained bucket without connections is swept once it has refilled, not before")
    void sweptAfterRefill() {
      ConnectionLimits limits = limits(10, 1, 20);
      for (int i = 0; i < 1000; i++) {
        ConnectionLimits.Lease lease = limits.acquire("198.51.100." + (i % 250));
        assertTrue(lease.tryUpgrade());
        lease.release();
      }
      assertEquals(250, limits.trackedAddresses(), "4 upgrades each: buckets 4 tokens short, so kept");
      advanceMillis(1500);
      limits.sweep();
      assertEquals(250, limits.trackedAddresses(), "after 1.5 s at 1/s the buckets are still short");
      advanceMillis(3000);
      limits.sweep();
      assertEquals(0, limits.trackedAddresses(), "refilled after 4 s: nothing left to remember");
    }

    @Test
    @DisplayName("beyond the bound new addresses are served untracked, and tracked again once entries are swept")
    void hardBound() {
      ConnectionLimits limits = new ConnectionLimits(http(1, 1, 1, List.of()), now::get, 3);
      List<ConnectionLimits.Lease> held = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        held.add(limits.acquire("203.0.113." + i));
      }
      assertEquals(3, limits.trackedAddresses());
      assertNotNull(limits.acquire("198.51.100.1"));
      assertNotNull(limits.acquire("198.51.100.1"), "untracked: not capped");
      assertEquals(3, limits.trackedAddresses());
      held.forEach(ConnectionLimits.Lease::release);
      assertEquals(0, limits.trackedAddresses());
      assertNotNull(limits.acquire("198.51.100.1"));
      assertNull(limits.acquire("198.51.100.1"), "tracked again");
    }
  }
}
