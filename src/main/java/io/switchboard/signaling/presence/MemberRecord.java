package io.switchboard.signaling.presence;

import io.switchboard.auth.TokenVerifier;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.Role;
import io.switchboard.signaling.session.Ids;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A participant as the cluster stores it: in the rooms map and in presence deltas. Carries no token and no
 * session handle, only what {@code welcome.peers} and routing need.
 *
 * <p>Records come from other members, so none is used before {@link #problem()} has found nothing wrong with it:
 * a corrupt or forged entry must not become a peer, a route or an exception on the presence loop.
 *
 * @param node the Switchboard node id of the member holding the session (its event-bus addresses)
 */
public record MemberRecord(String id, String identity, String name, String role, String meta, String node) {

  public static MemberRecord of(Participant p) {
    return new MemberRecord(p.id(), p.identity(), p.name(), p.role().wire(), p.metaJson(), p.nodeId());
  }

  /** What is wrong with this record, or null when it holds what a session of ours could have produced. */
  public String problem() {
    String problem = identityProblem();
    return problem != null ? problem : contentProblem();
  }

  /** Who it is and where it lives: session id, identity, node. */
  private String identityProblem() {
    if (id == null || !Ids.SESSION_ID.matcher(id).matches()) {
      return "session id is not 22 URL-safe characters";
    }
    if (identity == null || identity.isEmpty() || identity.length() > TokenVerifier.MAX_SUBJECT_LENGTH) {
      return "identity is not 1-" + TokenVerifier.MAX_SUBJECT_LENGTH + " characters";
    }
    if (node == null || !SwitchboardConfig.NODE_ID.matcher(node).matches()) {
      return "node id is not 1-64 address-safe characters";
    }
    return null;
  }

  /** What others are shown: name, role, meta. */
  private String contentProblem() {
    if (name != null && name.length() > TokenVerifier.MAX_NAME_LENGTH) {
      return "name is longer than " + TokenVerifier.MAX_NAME_LENGTH + " characters";
    }
    if (!Role.PUBLISHER.wire().equals(role) && !Role.VIEWER.wire().equals(role)) {
      return "role is neither publisher nor viewer";
    }
    if (meta == null || meta.length() > TokenVerifier.MAX_META_BYTES) {
      return "meta is missing or longer than " + TokenVerifier.MAX_META_BYTES + " bytes";
    }
    try {
      new JsonObject(meta);
    } catch (DecodeException | ClassCastException e) {
      return "meta is not a JSON object";
    }
    return null;
  }

  public Participant toParticipant(String room) {
    return Participant.withEncodedMeta(id, room, identity, name, Role.of(role), meta, node);
  }

  /** The same member, held by another node (after a resume there). */
  public MemberRecord on(String otherNode) {
    return new MemberRecord(id, identity, name, role, meta, otherNode);
  }

  JsonObject toJson() {
    return new JsonObject().put("id", id).put("identity", identity).put("name", name).put("role", role)
      .put("meta", meta).put("node", node);
  }

  /** @throws IllegalArgumentException when a field is not a string (JSON null is allowed) */
  static MemberRecord fromJson(JsonObject json) {
    return new MemberRecord(text(json, "id"), text(json, "identity"), text(json, "name"), text(json, "role"),
      text(json, "meta"), text(json, "node"));
  }

  /** A string field, or null; never a number or object turned into text, as {@link JsonObject#getString} would. */
  static String text(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value != null && !(value instanceof String)) {
      throw new IllegalArgumentException(key + " is not a string");
    }
    return (String) value;
  }
}
