package io.switchboard.signaling.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Encodes the frames the server itself originates (docs/protocol.md, "Session start" and "Server frames"). */
public final class ServerFrames {

  public static final String PONG = "{\"type\":\"pong\"}";

  private ServerFrames() {
  }

  public static String error(ErrorCode code, String message, String ref) {
    JsonObject frame = new JsonObject().put("type", "error").put("code", code.wire()).put("message", message);
    if (ref != null) {
      frame.put("ref", ref);
    }
    return frame.encode();
  }

  /** @param peerJson the peer object, already encoded (see {@code Participant#peerJson()}) */
  public static String peerJoined(String peerJson) {
    return "{\"type\":\"peer-joined\",\"peer\":" + peerJson + "}";
  }

  /** Session ids are URL-safe and reasons are fixed words, so neither needs escaping. */
  public static String peerLeft(String sessionId, String reason) {
    return "{\"type\":\"peer-left\",\"id\":\"" + sessionId + "\",\"reason\":\"" + reason + "\"}";
  }

  /** @param resumed a resumed session's welcome says so ({@code "resumed":true}); a new one says nothing */
  public static String welcome(String sessionId, String room, String identity, String role, JsonArray peers,
                               JsonArray iceServers, String resumeToken, String nodeId, boolean resumed) {
    JsonObject welcome = new JsonObject()
      .put("type", "welcome")
      .put("id", sessionId)
      .put("room", room)
      .put("identity", identity)
      .put("role", role)
      .put("peers", peers)
      .put("iceServers", iceServers)
      .put("resumeToken", resumeToken)
      .put("node", nodeId);
    if (resumed) {
      welcome.put("resumed", true);
    }
    return welcome.encode();
  }
}
