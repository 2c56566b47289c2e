package io.switchboard.signaling.cluster;

import io.switchboard.signaling.room.LeaveReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A {@link RoomChange} on the wire between nodes (JSON on the clustered event bus), with the node that sent it.
 * The snapshot is not sent: a node that needs one reads the room from the map.
 *
 * @param sender the node that ran the change and sent it on
 */
record PresenceDelta(String sender, RoomChange change) {

  static JsonObject encode(String sender, RoomChange change) {
    JsonArray left = new JsonArray();
    change.left().forEach(m -> left.add(m.toJson()));
    JsonArray joined = new JsonArray();
    change.joined().forEach(m -> joined.add(m.toJson()));
    return new JsonObject()
      .put("from", sender)
      .put("room", change.room())
      .put("epoch", change.epoch())
      .put("version", change.version())
      .put("reason", change.reason() == null ? null : change.reason().name())
      .put("left", left)
      .put("joined", joined);
  }

  /**
   * @throws RuntimeException (ClassCastException, NullPointerException, IllegalArgumentException) for anything
   *                          that is not a delta as {@link #encode} writes it; members are checked by the caller
   */
  static PresenceDelta decode(JsonObject json) {
    String reason = MemberRecord.text(json, "reason");
    String room = MemberRecord.text(json, "room");
    String sender = MemberRecord.text(json, "from");
    if (room == null || sender == null) {
      throw new IllegalArgumentException("a presence delta needs room and from");
    }
    RoomChange change = new RoomChange(room, false, true, json.getLong("epoch"), json.getLong("version"),
      reason == null ? null : LeaveReason.valueOf(reason), members(json.getJsonArray("left")),
      members(json.getJsonArray("joined")), null, Set.of());
    return new PresenceDelta(sender, change);
  }

  /**
   * Why this delta must not be applied, or null: every member must be well formed, and a node adds only its own
   * sessions (a join or a re-assertion); removals may name any node's (a kick, a replacement, a purge).
   */
  String problem() {
    for (MemberRecord joined : change.joined()) {
      if (!sender.equals(joined.node())) {
        return "node " + sender + " announced a session of node " + joined.node();
      }
    }
    List<MemberRecord> all = new ArrayList<>(change.left());
    all.addAll(change.joined());
    for (MemberRecord member : all) {
      String problem = member.problem();
      if (problem != null) {
        return "a member record's " + problem;
      }
    }
    return null;
  }

  private static List<MemberRecord> members(JsonArray array) {
    List<MemberRecord> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      out.add(MemberRecord.fromJson(array.getJsonObject(i)));
    }
    return out;
  }
}
