package io.switchboard.webhook;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("RoomLine: a room's batches in version order, gaps waited for, copies skipped")
class RoomLineTest {

  private static final long WINDOW = 2000;

  private static RoomLine.Pending batch(long epoch, long version, long createdAt, long arrived, String last) {
    List<JsonObject> events = last == null ? List.of(new JsonObject().put("type", "participant_joined"))
      : List.of(new JsonObject().put("type", last));
    EventBatch batch = new EventBatch("room", epoch, version, createdAt, events);
    return new RoomLine.Pending(batch.key(), batch, arrived);
  }

  private static long deliverNext(RoomLine line, long now) {
    RoomLine.Pending taken = line.take(true);
    assertEquals(RoomLine.Verdict.BUSY, line.next(now, WINDOW));
    line.delivered(taken.batch(), now);
    return taken.batch().version();
  }

  @Test
  @DisplayName("arriving 3, 1, 2: delivered 1, 2, 3 with no waiting")
  void reorders() {
    RoomLine line = new RoomLine();
    line.add(batch(7, 3, 0, 0, null));
    line.add(batch(7, 1, 0, 0, "room_started"));
    line.add(batch(7, 2, 0, 0, null));
    for (long expected = 1; expected <= 3; expected++) {
      assertEquals(RoomLine.Verdict.DUE, line.next(0, WINDOW));
      assertEquals(expected, deliverNext(line, 0));
    }
    assertEquals(RoomLine.Verdict.NOTHING, line.next(0, WINDOW));
  }

  @Test
  @DisplayName("a missing version is waited for, up to the reorder window, then skipped")
  void gap() {
    RoomLine line = new RoomLine();
    line.add(batch(7, 1, 0, 0, null));
    deliverNext(line, 0);
    line.add(batch(7, 3, 0, 100, null));
    assertEquals(RoomLine.Verdict.WAIT, line.next(100, WINDOW));
    assertEquals(RoomLine.Verdict.WAIT, line.next(2099, WINDOW));
    assertEquals(RoomLine.Verdict.DUE, line.next(2100, WINDOW));
    assertEquals(3, deliverNext(line, 2100));
    line.add(batch(7, 2, 0, 2200, null));
    assertEquals(RoomLine.Verdict.STALE, line.next(2200, WINDOW), "the late one is older than what was sent");
  }

  @Test
  @DisplayName("a new lifetime follows the finished one at once; its start waits behind the old finish")
  void lifetimes() {
    RoomLine line = new RoomLine();
    line.add(batch(9, 1, 50, 0, "room_started")); // the next lifetime, produced later
    line.add(batch(7, 5, 10, 0, "room_finished"));
    line.add(batch(7, 4, 5, 0, null));
    assertEquals(RoomLine.Verdict.WAIT, line.next(0, WINDOW), "version 4 of a lifetime not seen from its start");
    assertEquals(4, deliverNext(line, WINDOW));
    assertEquals(RoomLine.Verdict.DUE, line.next(WINDOW, WINDOW));
    assertEquals(5, deliverNext(line, WINDOW));
    assertEquals(RoomLine.Verdict.DUE, line.next(WINDOW, WINDOW), "room finished: version 1 of the next follows");
    assertEquals(1, deliverNext(line, WINDOW));
  }
}
