package io.switchboard.signaling.cluster;

import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.Role;
import io.vertx.core.json.JsonObject;

import java.io.Serializable;

/**
 * A participant as the cluster stores it: in the rooms map and in presence deltas. Carries no token and no
 * session handle, only what {@code welcome.peers} and routing need.
 *
 * @param node the Switchboard node id of the member holding the session (its event-bus addresses)
 */
record MemberRecord(String id, String identity, String name, String role, String meta, String node)
  implements Serializable {

  static MemberRecord of(Participant p) {
    return new MemberRecord(p.id(), p.identity(), p.name(), p.role().wire(), p.peerObject().getJsonObject("meta")
      .encode(), p.nodeId());
  }

  Participant toParticipant(String room) {
    return new Participant(id, room, identity, name, Role.of(role), new JsonObject(meta), node);
  }

  JsonObject toJson() {
    return new JsonObject().put("id", id).put("identity", identity).put("name", name).put("role", role)
      .put("meta", meta).put("node", node);
  }

  static MemberRecord fromJson(JsonObject json) {
    return new MemberRecord(json.getString("id"), json.getString("identity"), json.getString("name"),
      json.getString("role"), json.getString("meta"), json.getString("node"));
  }
}
