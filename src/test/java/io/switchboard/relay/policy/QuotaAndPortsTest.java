package io.switchboard.relay.policy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("quota and relay-port policies")
class QuotaAndPortsTest {

  @Test
  @DisplayName("CountingQuota: per user and total limits; releases free slots; unknown releases are harmless")
  void quota() {
    CountingQuota quota = new CountingQuota(3, 2);
    assertTrue(quota.tryAcquire("a"));
    assertTrue(quota.tryAcquire("a"));
    assertFalse(quota.tryAcquire("a"));
    assertTrue(quota.tryAcquire("b"));
    assertFalse(quota.tryAcquire("c"), "total reached");
    quota.release("a");
    quota.release("nobody");
    assertTrue(quota.tryAcquire("c"));
    assertEquals(3, quota.total());
  }

  @Test
  @DisplayName("RangePortAllocator: every port of the range once, then -1; even ports and even pairs; release")
  void ports() {
    RangePortAllocator ports = new RangePortAllocator(20000, 20009);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      int port = ports.acquire(false);
      assertTrue(port >= 20000 && port <= 20009);
      assertTrue(seen.add(port));
    }
    assertEquals(-1, ports.acquire(false));
    ports.release(20004);
    ports.release(20005);
    assertEquals(20004, ports.acquireEvenPair());
    assertEquals(-1, ports.acquireEvenPair());
    ports.release(20007);
    assertEquals(-1, ports.acquire(true), "20007 is odd");
    assertEquals(20007, ports.acquire(false));
    assertEquals(10, ports.inUse());
  }
}
