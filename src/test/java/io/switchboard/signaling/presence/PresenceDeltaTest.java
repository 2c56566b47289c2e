package io.switchboard.signaling.presence;

import io.switchboard.signaling.presence.RoomChange.Departure;
import io.switchboard.signaling.presence.RoomChange.Moved;
import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.session.Ids;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Presence deltas and member records from other members are checked before use")
class PresenceDeltaTest {

  private static MemberRecord member(String node) {
    return new MemberRecord(Ids.sessionId(), "alice", "Alice", "publisher", "{\"team\":\"a\"}", node);
  }

  private static RoomChange change(List<MemberRecord> left, List<MemberRecord> joined) {
    return change(left, joined, List.of());
  }

  private static RoomChange change(List<MemberRecord> left, List<MemberRecord> joined, List<Moved> moved) {
    return new RoomChange("room-a", true, null, 7, 3,
      left.stream().map(m -> new Departure(m, LeaveReason.KICKED)).toList(), joined, moved, null, Set.of(), Map.of());
  }

  @Test
  @DisplayName("a node may add its own sessions and remove anyone's (kick, replacement, purge)")
  void accepted() {
    PresenceDelta delta = PresenceDelta.decode(PresenceDelta.encode("n1",
      change(List.of(member("n2"), member("n3")), List.of(member("n1")))));
    assertNull(delta.problem());
  }

  @Test
  @DisplayName("every part survives the trip: departures with their reasons, joins, moves with their origin")
  void roundTrip() {
    RoomChange change = change(List.of(member("n2")), List.of(member("n1")), List.of(new Moved(member("n1"), "n3")));
    PresenceDelta delta = PresenceDelta.decode(PresenceDelta.encode("n1", change));
    assertEquals("n1", delta.sender());
    assertEquals(change, delta.change());
  }

  @Test
  @DisplayName("a node may move a session to itself (a resume there), never to another node")
  void foreignMove() {
    assertNull(PresenceDelta.decode(PresenceDelta.encode("n1",
      change(List.of(), List.of(), List.of(new Moved(member("n1"), "n2"))))).problem());
    PresenceDelta delta = PresenceDelta.decode(PresenceDelta.encode("n1",
      change(List.of(), List.of(), List.of(new Moved(member("n2"), "n3")))));
    assertTrue(delta.problem().contains("moved a session to node n2"), delta.problem());
  }

  @Test
  @DisplayName("a node announcing another node's session is refused")
  void foreignJoin() {
    PresenceDelta delta = PresenceDelta.decode(PresenceDelta.encode("n1", change(List.of(), List.of(member("n2")))));
    assertTrue(delta.problem().contains("announced a session of node n2"), delta.problem());
  }

  @ParameterizedTest(name = "{0} = {1}")
  @DisplayName("a member record with a field no session could have is refused")
  @CsvSource(delimiter = '|', value = {
    "id | short", "identity | ''", "role | admin", "node | 'no spaces'", "meta | '[1,2]'", "meta | '{'",
    "name | LONG"})
  void malformedMember(String field, String value) {
    JsonObject json = member("n1").toJson();
    json.put(field, value.equals("LONG") ? "n".repeat(200) : value);
    MemberRecord forged = MemberRecord.fromJson(json);
    String problem = forged.problem();
    assertTrue(problem != null && !problem.isEmpty(), field + " " + value);
    JsonObject delta = PresenceDelta.encode("n1", change(List.of(forged), List.of()));
    assertTrue(PresenceDelta.decode(delta).problem().contains(problem), "a removal must be well formed too");
  }

  @Test
  @DisplayName("meta beyond 1 KiB is refused even when it is valid JSON")
  void largeMeta() {
    MemberRecord big = new MemberRecord(Ids.sessionId(), "alice", null, "viewer",
      new JsonObject().put("x", "y".repeat(1100)).encode(), "n1");
    assertTrue(big.problem().contains("meta"));
  }

  @Test
  @DisplayName("a delta without a sender or room, with a wrong type, an unknown reason or a move without origin "
    + "does not decode")
  void undecodable() {
    JsonObject good = PresenceDelta.encode("n1", change(List.of(), List.of(member("n1"))));
    for (JsonObject bad : List.of(good.copy().put("from", null), good.copy().put("room", 5),
      PresenceDelta.encode("n1", change(List.of(member("n2")), List.of()))
        .put("left", new io.vertx.core.json.JsonArray().add(member("n2").toJson().put("reason", "EVAPORATED"))),
      good.copy().put("moved", new io.vertx.core.json.JsonArray().add(member("n1").toJson())),
      good.copy().put("joined", "everyone"), good.copy().put("epoch", "x"),
      good.copy().put("joined", new io.vertx.core.json.JsonArray().add(member("n1").toJson().put("id", 42))))) {
      assertThrows(RuntimeException.class, () -> PresenceDelta.decode(bad), bad.encode());
    }
  }
}
