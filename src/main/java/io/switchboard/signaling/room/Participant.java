package io.switchboard.signaling.room;

import io.vertx.core.json.JsonObject;

/**
 * One session in one room, as others see it. Immutable; the {@code peer} object of presence frames is
 * encoded once here, not per recipient.
 */
public final class Participant {

  private final String id;
  private final String room;
  private final String identity;
  private final String name;
  private final Role role;
  private final JsonObject meta;
  private final String nodeId;
  private final String peerJson;

  public Participant(String id, String room, String identity, String name, Role role, JsonObject meta,
                     String nodeId) {
    this.id = id;
    this.room = room;
    this.identity = identity;
    this.name = name;
    this.role = role;
    this.meta = meta.copy();
    this.nodeId = nodeId;
    this.peerJson = peerObject().encode();
  }

  /** The same participant under another session id (the one a resume asks for). */
  public Participant withId(String otherId) {
    return new Participant(otherId, room, identity, name, role, meta, nodeId);
  }

  public String id() {
    return id;
  }

  public String room() {
    return room;
  }

  public String identity() {
    return identity;
  }

  public String name() {
    return name;
  }

  public Role role() {
    return role;
  }

  public String nodeId() {
    return nodeId;
  }

  /** The {@code peer} object of {@code welcome.peers} and {@code peer-joined}. */
  public JsonObject peerObject() {
    return new JsonObject().put("id", id).put("identity", identity).put("name", name).put("role", role.wire())
      .put("meta", meta.copy());
  }

  /** {@link #peerObject()}, encoded. */
  public String peerJson() {
    return peerJson;
  }

  @Override
  public String toString() {
    return "Participant[" + id + " " + role.wire() + " in " + room + "]";
  }
}
