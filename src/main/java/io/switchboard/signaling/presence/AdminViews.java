package io.switchboard.signaling.presence;

import io.switchboard.signaling.room.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.BiPredicate;

/** The admin API's views of the room store: every room with its counts, and one room's participants. */
final class AdminViews {

  private AdminViews() {
  }

  /**
   * One room: every participant with the node holding it and whether it is connected or waiting for a resume.
   *
   * @param wellFormed whether a member record may be shown (records from other members are checked)
   */
  static JsonObject room(String name, RoomRecord record, BiPredicate<MemberRecord, String> wellFormed) {
    JsonArray participants = new JsonArray();
    for (Seat seat : record.seats()) {
      if (wellFormed.test(seat.member(), name)) {
        participants.add(seat.member().toParticipant(name).peerObject().put("node", seat.node())
          .put("state", seat.inGrace() ? "grace" : "connected"));
      }
    }
    return new JsonObject().put("room", name).put("participants", participants);
  }

  /** Every room, sorted by name, with its counts. */
  static JsonArray rooms(SortedMap<String, RoomRecord> records, BiPredicate<MemberRecord, String> wellFormed) {
    JsonArray list = new JsonArray();
    for (Map.Entry<String, RoomRecord> entry : records.entrySet()) {
      List<MemberRecord> members = entry.getValue().snapshot().stream()
        .filter(m -> wellFormed.test(m, entry.getKey())).toList();
      long publishers = members.stream().filter(m -> m.role().equals(Role.PUBLISHER.wire())).count();
      list.add(new JsonObject().put("room", entry.getKey()).put("participants", members.size())
        .put("publishers", publishers).put("viewers", members.size() - publishers));
    }
    return list;
  }
}
