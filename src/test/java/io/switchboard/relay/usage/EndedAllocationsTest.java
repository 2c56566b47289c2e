package io.switchboard.relay.usage;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("EndedAllocations: per-room totals of ended allocations, kept for a retention and within a bound")
class EndedAllocationsTest {

  @Test
  @DisplayName("ended allocations fold into their room; other rooms are not touched")
  void folds() {
    EndedAllocations ended = new EndedAllocations();
    ended.add("r1", "alice", 100, 200, 5, 0);
    ended.add("r1", "alice", 1, 2, 5, 1);
    ended.add("r2", "bob", 7, 7, 7, 2);
    RoomUsage r1 = ended.room("r1", 3);
    assertEquals(2, r1.allocations());
    assertEquals(0, r1.activeAllocations());
    assertEquals(101, r1.bytesToPeers());
    assertEquals(202, r1.bytesFromPeers());
    assertEquals(10, r1.allocationNanos());
    assertEquals(1, ended.room("r2", 3).allocations());
    assertEquals(0, ended.room("unknown", 3).allocations());
  }

  @Test
  @DisplayName("a room's totals go once the retention has passed since its last ended allocation")
  void retention() {
    EndedAllocations ended = new EndedAllocations(100, 1000);
    ended.add("r1", "alice", 1, 1, 1, 0);
    ended.add("r2", "bob", 1, 1, 1, 50);
    ended.add("r1", "alice", 1, 1, 1, 60); // r1 touched again: its retention starts over
    assertEquals(2, ended.room("r1", 120).allocations());
    assertEquals(1, ended.room("r2", 120).allocations());
    assertEquals(0, ended.room("r2", 150).allocations());
    assertEquals(2, ended.room("r1", 159).allocations());
    assertEquals(0, ended.room("r1", 160).allocations());
    assertEquals(0, ended.roomCount());
    assertEquals(0, ended.evictedRooms(), "expiry is not eviction");
  }

  @Test
  @DisplayName("beyond the bound on participant entries the least recently changed rooms are evicted and counted")
  void bound() {
    EndedAllocations ended = new EndedAllocations(Long.MAX_VALUE / 2, 4);
    ended.add("r1", "a", 1, 1, 1, 0);
    ended.add("r1", "b", 1, 1, 1, 1);
    ended.add("r2", "a", 1, 1, 1, 2);
    ended.add("r3", "a", 1, 1, 1, 3);
    ended.add("r1", "a", 1, 1, 1, 4); // r1 is now the most recent: r2 is the eldest
    ended.add("r4", "a", 1, 1, 1, 5);
    assertEquals(1, ended.evictedRooms());
    assertEquals(0, ended.room("r2", 6).allocations());
    assertEquals(3, ended.room("r1", 6).allocations());
    assertEquals(3, ended.roomCount());
  }
}
