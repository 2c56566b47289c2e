package io.switchboard.signaling.presence;

import io.switchboard.signaling.presence.RoomChange.Departure;
import io.switchboard.signaling.presence.RoomChange.Moved;
import io.switchboard.signaling.room.LeaveReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link RoomChange} on the wire between nodes (JSON on the clustered event bus), with the node that sent it.
 * Neither the snapshot nor grace periods are sent: a node that needs the whole room reads it from the store.
 *
 * @param sender the node that ran the change and sent it on
 */
record PresenceDelta(String sender, RoomChange change) {

  static final String KIND = "delta";

  static JsonObject encode(String sender, RoomChange change) {
    JsonArray left = new JsonArray();
    change.left().forEach(d -> left.add(d.member().toJson().put("reason", d.reason().name())));
    JsonArray joined = new JsonArray();
    change.joined().forEach(m -> joined.add(m.toJson()));
    JsonArray moved = new JsonArray();
    change.moved().forEach(m -> moved.add(m.member().toJson().put("from", m.from())));
    return new JsonObject()
      .put("kind", KIND)
      .put("from", sender)
      .put("room", change.room())
      .put("epoch", change.epoch())
      .put("version", change.version())
      .put("left", left)
      .put("joined", joined)
      .put("moved", moved);
  }

  /**
   * @throws RuntimeException (ClassCastException, NullPointerException, IllegalArgumentException) for anything
   *                          that is not a delta as {@link #encode} writes it; members are checked by the caller
   */
  static PresenceDelta decode(JsonObject json) {
    String room = MemberRecord.text(json, "room");
    String sender = MemberRecord.text(json, "from");
    if (room == null || sender == null) {
      throw new IllegalArgumentException("a presence delta needs room and from");
    }
    List<Departure> left = new ArrayList<>();
    for (JsonObject m : objects(json.getJsonArray("left"))) {
      left.add(new Departure(MemberRecord.fromJson(m), LeaveReason.valueOf(MemberRecord.text(m, "reason"))));
    }
    List<MemberRecord> joined = new ArrayList<>();
    for (JsonObject m : objects(json.getJsonArray("joined"))) {
      joined.add(MemberRecord.fromJson(m));
    }
    List<Moved> moved = new ArrayList<>();
    for (JsonObject m : objects(json.getJsonArray("moved"))) {
      String from = MemberRecord.text(m, "from");
      if (from == null) {
        throw new IllegalArgumentException("a moved member needs from");
      }
      moved.add(new Moved(MemberRecord.fromJson(m), from));
    }
    RoomChange change = new RoomChange(room, true, null, json.getLong("epoch"), json.getLong("version"),
      List.copyOf(left), List.copyOf(joined), List.copyOf(moved), null, Set.of(), Map.of());
    return new PresenceDelta(sender, change);
  }

  /**
   * Why this delta must not be applied, or null: every member must be well formed, and a node adds only its own
   * sessions (a join, a re-assertion, a resume); removals may name any node's (a kick, a replacement, a purge).
   */
  String problem() {
    List<MemberRecord> all = new ArrayList<>();
    change.left().forEach(d -> all.add(d.member()));
    all.addAll(change.joined());
    for (MemberRecord joined : change.joined()) {
      if (!sender.equals(joined.node())) {
        return "node " + sender + " announced a session of node " + joined.node();
      }
    }
    for (Moved moved : change.moved()) {
      if (!sender.equals(moved.member().node())) {
        return "node " + sender + " moved a session to node " + moved.member().node();
      }
      all.add(moved.member());
    }
    for (MemberRecord member : all) {
      String problem = member.problem();
      if (problem != null) {
        return "a member record's " + problem;
      }
    }
    return null;
  }

  private static List<JsonObject> objects(JsonArray array) {
    List<JsonObject> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      out.add(array.getJsonObject(i));
    }
    return out;
  }
}
