package io.switchboard.signaling.cluster;

import io.switchboard.signaling.room.LeaveReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A {@link RoomChange} on the wire between nodes (JSON on the clustered event bus). The snapshot is not sent:
 * a node that needs one reads the room from the map.
 */
final class PresenceDelta {

  private PresenceDelta() {
  }

  static JsonObject encode(RoomChange change) {
    JsonArray left = new JsonArray();
    change.left().forEach(m -> left.add(m.toJson()));
    JsonArray joined = new JsonArray();
    change.joined().forEach(m -> joined.add(m.toJson()));
    return new JsonObject()
      .put("room", change.room())
      .put("epoch", change.epoch())
      .put("version", change.version())
      .put("reason", change.reason() == null ? null : change.reason().name())
      .put("left", left)
      .put("joined", joined);
  }

  static RoomChange decode(JsonObject json) {
    String reason = json.getString("reason");
    return new RoomChange(json.getString("room"), false, true, json.getLong("epoch"), json.getLong("version"),
      reason == null ? null : LeaveReason.valueOf(reason), members(json.getJsonArray("left")),
      members(json.getJsonArray("joined")), null, Set.of());
  }

  private static List<MemberRecord> members(JsonArray array) {
    List<MemberRecord> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      out.add(MemberRecord.fromJson(array.getJsonObject(i)));
    }
    return out;
  }
}
