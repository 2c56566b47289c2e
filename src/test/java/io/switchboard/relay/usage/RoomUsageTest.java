package io.switchboard.relay.usage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("RoomUsage: totals and per-participant counts, merged across nodes, in the documented JSON shape")
class RoomUsageTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  @DisplayName("allocations add up per participant and in total; allocation time in seconds, to the millisecond")
  void arithmetic() {
    RoomUsage usage = new RoomUsage();
    usage.add("alice", 1, 0, 1000, 900, 2 * SECOND);
    usage.add("bob", 1, 1, 50, 0, SECOND / 2);
    usage.add("alice", 1, 1, 24, 100, 1_234_567_890L);
    JsonObject json = usage.toJson();
    assertEquals(3, json.getLong("allocations"));
    assertEquals(2, json.getLong("activeAllocations"));
    assertEquals(1074, json.getLong("bytesToPeers"));
    assertEquals(1000, json.getLong("bytesFromPeers"));
    assertEquals(3.735, json.getDouble("allocationSeconds"), 1e-9);
    JsonArray participants = json.getJsonArray("participants");
    assertEquals(2, participants.size());
    JsonObject alice = participants.getJsonObject(0);
    assertEquals(new JsonObject().put("identity", "alice").put("allocations", 2L).put("activeAllocations", 1L)
      .put("bytesToPeers", 1024L).put("bytesFromPeers", 1000L).put("allocationSeconds", 3.235), alice);
    assertEquals("bob", participants.getJsonObject(1).getString("identity"));
    assertFalse(json.containsKey("participantsTruncated"));
  }

  @Test
  @DisplayName("two nodes' answers merge into one: sums per identity, the JSON survives the trip")
  void mergeAcrossNodes() {
    RoomUsage nodeA = new RoomUsage();
    nodeA.add("alice", 1, 1, 100, 200, SECOND);
    RoomUsage nodeB = new RoomUsage();
    nodeB.add("alice", 2, 0, 10, 20, 3 * SECOND);
    nodeB.add("carol:x@y", 1, 0, 5, 5, SECOND);
    RoomUsage total = RoomUsage.fromJson(nodeA.toJson());
    total.merge(RoomUsage.fromJson(nodeB.toJson()));
    assertEquals(4, total.allocations());
    assertEquals(1, total.activeAllocations());
    assertEquals(115, total.bytesToPeers());
    assertEquals(225, total.bytesFromPeers());
    assertEquals(5 * SECOND, total.allocationNanos());
    JsonObject alice = total.toJson().getJsonArray("participants").getJsonObject(0);
    assertEquals(3, alice.getLong("allocations"));
    assertEquals(110, alice.getLong("bytesToPeers"));
    assertEquals("carol:x@y", total.toJson().getJsonArray("participants").getJsonObject(1).getString("identity"));
  }

  @Test
  @DisplayName("beyond MAX_PARTICIPANTS identities the totals stay exact and the list says it was truncated")
  void truncated() {
    RoomUsage usage = new RoomUsage();
    for (int i = 0; i < RoomUsage.MAX_PARTICIPANTS + 5; i++) {
      usage.add("p" + i, 1, 0, 10, 10, SECOND);
    }
    JsonObject json = usage.toJson();
    assertEquals(RoomUsage.MAX_PARTICIPANTS + 5, json.getLong("allocations"));
    assertEquals(10L * (RoomUsage.MAX_PARTICIPANTS + 5), json.getLong("bytesToPeers"));
    assertEquals(RoomUsage.MAX_PARTICIPANTS, json.getJsonArray("participants").size());
    assertTrue(json.getBoolean("participantsTruncated"));
    assertTrue(RoomUsage.fromJson(json).toJson().getBoolean("participantsTruncated"));
  }

  @Test
  @DisplayName("a copy is independent of the kept totals")
  void copyIsIndependent() {
    RoomUsage kept = new RoomUsage();
    kept.add("alice", 1, 0, 1, 1, 1);
    RoomUsage copy = kept.copy();
    copy.add("alice", 1, 1, 1, 1, 1);
    assertEquals(1, kept.allocations());
    assertEquals(2, copy.allocations());
  }
}
