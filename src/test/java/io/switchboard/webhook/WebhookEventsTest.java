package io.switchboard.webhook;

import io.switchboard.signaling.presence.MemberRecord;
import io.switchboard.signaling.presence.RoomChange;
import io.switchboard.signaling.room.LeaveReason;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The events of one room change, and their JSON shapes")
class WebhookEventsTest {

  private static final long NOW = 1_800_000_000_123L;
  private static final long EPOCH = 0x7123_4567_89ab_cdefL;
  private static final MemberRecord ALICE = new MemberRecord("aaaaaaaaaaaaaaaaaaaaaa", "alice", "Alice", "publisher",
    "{\"desk\":3}", "node-1");
  private static final MemberRecord BOB = new MemberRecord("bbbbbbbbbbbbbbbbbbbbbb", "bob", null, "viewer", "{}",
    "node-2");

  private static RoomChange change(long version, List<RoomChange.Departure> left, List<MemberRecord> joined,
                                   List<RoomChange.Moved> moved, boolean emptied) {
    return new RoomChange("room-a", true, null, EPOCH, version, left, joined, moved, null, Set.of("node-1"),
      Map.of(), emptied);
  }

  private static List<String> types(EventBatch batch) {
    return batch.events().stream().map(e -> e.getString("type")).toList();
  }

  @Test
  @DisplayName("a room's first change starts it: room_started, then participant_joined, with every common field")
  void firstJoin() {
    EventBatch batch = WebhookEvents.of(change(1, List.of(), List.of(ALICE), List.of(), false), NOW);
    assertEquals(List.of("room_started", "participant_joined"), types(batch));
    JsonObject started = batch.events().get(0);
    assertEquals(Set.of("id", "type", "createdAt", "room", "roomEpoch", "roomVersion"), started.fieldNames());
    assertEquals("2027-01-15T08:00:00.123Z", started.getString("createdAt"));
    assertEquals(Long.toString(EPOCH), started.getString("roomEpoch"));
    assertEquals(1, started.getLong("roomVersion"));
    assertEquals(22, started.getString("id").length());
    JsonObject joined = batch.events().get(1);
    assertEquals(new JsonObject().put("id", ALICE.id()).put("identity", "alice").put("role", "publisher")
      .put("name", "Alice").put("meta", new JsonObject().put("desk", 3)), joined.getJsonObject("participant"));
    assertFalse(joined.containsKey("reason"));
    assertEquals("e" + EPOCH + "v1@room-a", batch.key());
  }

  @Test
  @DisplayName("a replacement: the old session leaves (replaced) before the newcomer joins; no room events")
  void replacement() {
    EventBatch batch = WebhookEvents.of(change(4, List.of(new RoomChange.Departure(BOB, LeaveReason.REPLACED)),
      List.of(BOB), List.of(), false), NOW);
    assertEquals(List.of("participant_left", "participant_joined"), types(batch));
    assertEquals("replaced", batch.events().get(0).getString("reason"));
    assertNull(batch.events().get(0).getJsonObject("participant").getString("name"));
  }

  @Test
  @DisplayName("a resume is participant_resumed; the last member leaving finishes the room")
  void resumeAndFinish() {
    EventBatch resumed = WebhookEvents.of(change(5, List.of(), List.of(), List.of(new RoomChange.Moved(ALICE,
      "node-2")), false), NOW);
    assertEquals(List.of("participant_resumed"), types(resumed));
    EventBatch last = WebhookEvents.of(change(6, List.of(new RoomChange.Departure(ALICE, LeaveReason.NODE_LOST)),
      List.of(), List.of(), true), NOW);
    assertEquals(List.of("participant_left", "room_finished"), types(last));
    assertEquals("node-lost", last.events().get(0).getString("reason"));
    assertTrue(last.finishesRoom());
    assertFalse(resumed.finishesRoom());
  }

  @Test
  @DisplayName("every event has its own id; a batch survives encode/decode unchanged")
  void idsAndEncoding() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      WebhookEvents.of(change(1, List.of(), List.of(ALICE, BOB), List.of(), false), NOW).events()
        .forEach(e -> ids.add(e.getString("id")));
    }
    assertEquals(3000, ids.size());
    EventBatch batch = WebhookEvents.of(change(9, List.of(new RoomChange.Departure(BOB, LeaveReason.KICKED)),
      List.of(), List.of(), true), NOW);
    assertEquals(batch, EventBatch.decode(batch.encode()));
  }
}
