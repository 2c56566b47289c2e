package io.switchboard.signaling.room;

import io.vertx.core.json.JsonObject;

/**
 * One session in one room, as others see it. Immutable. It keeps {@code meta} encoded (the same string presence's
 * {@code MemberRecord} holds), not as a map, and builds the {@code peer} object only when a frame needs it: an
 * idle session holds no copy of what it tells others.
 */
public final class Participant {

  private static final String EMPTY_META = "{}";

  private final String id;
  private final String room;
  private final String identity;
  private final String name;
  private final Role role;
  /** The token's {@code meta} claim, encoded: at most {@code TokenVerifier.MAX_META_BYTES}. */
  private final String metaJson;
  private final String nodeId;

  public Participant(String id, String room, String identity, String name, Role role, JsonObject meta,
                     String nodeId) {
    this(id, room, identity, name, role, meta.isEmpty() ? EMPTY_META : meta.encode(), nodeId);
  }

  private Participant(String id, String room, String identity, String name, Role role, String metaJson,
                      String nodeId) {
    this.id = id;
    this.room = room;
    this.identity = identity;
    this.name = name;
    this.role = role;
    this.metaJson = metaJson;
    this.nodeId = nodeId;
  }

  /** @param metaJson a JSON object, already encoded and checked (a presence record's) */
  public static Participant withEncodedMeta(String id, String room, String identity, String name, Role role,
                                            String metaJson, String nodeId) {
    return new Participant(id, room, identity, name, role, metaJson, nodeId);
  }

  /** The same participant under another session id (the one a resume asks for). */
  public Participant withId(String otherId) {
    return new Participant(otherId, room, identity, name, role, metaJson, nodeId);
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

  /** The {@code meta} claim, encoded. */
  public String metaJson() {
    return metaJson;
  }

  /** The {@code peer} object of {@code welcome.peers} and {@code peer-joined}. */
  public JsonObject peerObject() {
    return new JsonObject().put("id", id).put("identity", identity).put("name", name).put("role", role.wire())
      .put("meta", EMPTY_META.equals(metaJson) ? new JsonObject() : new JsonObject(metaJson));
  }

  /** {@link #peerObject()}, encoded: built per call, once per presence event rather than kept per session. */
  public String peerJson() {
    String withoutMeta = new JsonObject().put("id", id).put("identity", identity).put("name", name)
      .put("role", role.wire()).encode();
    return withoutMeta.substring(0, withoutMeta.length() - 1) + ",\"meta\":" + metaJson + "}";
  }

  @Override
  public String toString() {
    return "Participant[" + id + " " + role.wire() + " in " + room + "]";
  }
}
