package io.switchboard.load;

import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.Session;

import java.util.List;

import static io.gatling.javaapi.core.CoreDsl.jsonPath;

/**
 * The server under load and its wire format. The same workload runs against Switchboard (PROTOCOL.md) and
 * against PeerJS server (its own format: {@code OPEN} on connect, {@code OFFER/ANSWER/CANDIDATE} frames with
 * {@code dst}, relayed with {@code src}); frames carry the same SDP, candidate and message payloads in both, so
 * the sizes match within a few bytes of envelope.
 *
 * <p>Properties: {@code -Dtarget=switchboard|peerjs}, {@code -Dnodes=ws://127.0.0.1:21080[,ws://...]},
 * {@code -Dsecret=...} (Switchboard's HS256 secret).
 */
public final class Target {

  public enum Kind { SWITCHBOARD, PEERJS }

  public final Kind kind;
  public final List<String> nodes;
  private final Jwt jwt;
  /** Distinguishes runs against one PeerJS server (ids are global there) and one Switchboard node (identities). */
  private final String runTag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

  public Target() {
    this.kind = Kind.valueOf(Params.string("target", "switchboard").toUpperCase());
    this.nodes = Params.list("nodes", "ws://127.0.0.1:21080");
    this.jwt = kind == Kind.SWITCHBOARD ? new Jwt(Params.string("secret", "")) : null;
  }

  public boolean switchboard() {
    return kind == Kind.SWITCHBOARD;
  }

  public String name() {
    return kind.name().toLowerCase();
  }

  /** A stable identity for a virtual user (also its PeerJS id). */
  public String identity(long userId) {
    return "u" + runTag + "-" + userId;
  }

  public String node(int index) {
    return nodes.get(Math.floorMod(index, nodes.size()));
  }

  /** The WebSocket URL for this user on node {@code nodeIndex}, joining {@code room} with {@code role}. */
  public String connectUrl(Session session, int nodeIndex, String room, String role) {
    String identity = identity(session.userId());
    if (switchboard()) {
      return node(nodeIndex) + "/ws?access_token=" + jwt.participant(identity, runTag + "-" + room, role);
    }
    return node(nodeIndex) + "/peerjs?key=peerjs&id=" + identity + "&token=t" + identity;
  }

  /** The check for the first frame after the upgrade: {@code welcome} (saving its peers) or {@code OPEN}. */
  public CheckBuilder[] openChecks() {
    if (switchboard()) {
      return new CheckBuilder[] {
        jsonPath("$.type").is("welcome"),
        jsonPath("$.id").saveAs("selfId"),
        jsonPath("$.peers[0].id").optional().saveAs("peerId")
      };
    }
    return new CheckBuilder[] {jsonPath("$.type").is("OPEN")};
  }

  /** The type a relayed frame of kind {@code offer|answer|candidate|message} carries on the wire. */
  public String wireType(String type) {
    if (switchboard()) {
      return type;
    }
    return type.equals("message") ? "CANDIDATE" : type.toUpperCase();
  }

  /** Where the server names the sender of a relayed frame: Switchboard adds {@code from}, PeerJS {@code src}. */
  public String senderField() {
    return switchboard() ? "from" : "src";
  }

  /** JSON path of a body field of a relayed frame: top level in Switchboard's, under {@code payload} in PeerJS's. */
  public String bodyPath(String field) {
    return (switchboard() ? "$." : "$.payload.") + field;
  }

  /** A directed frame from a client: {@code payload} is the JSON of the SDP/candidate/data body. */
  public String directed(String type, String to, String payloadField, String payloadJson) {
    if (switchboard()) {
      return "{\"type\":\"" + type + "\",\"to\":\"" + to + "\",\"" + payloadField + "\":" + payloadJson + "}";
    }
    return "{\"type\":\"" + wireType(type) + "\",\"dst\":\"" + to + "\",\"payload\":{\"" + payloadField + "\":"
      + payloadJson + "}}";
  }

  /** A frame the server answers at once on the same socket (for verdict checks): ping/pong, or a frame to self. */
  public String echoRequest(Session session) {
    if (switchboard()) {
      return "{\"type\":\"ping\"}";
    }
    return "{\"type\":\"CANDIDATE\",\"dst\":\"" + identity(session.userId()) + "\",\"payload\":{\"echo\":true}}";
  }

  public String echoReplyType() {
    return switchboard() ? "pong" : "CANDIDATE";
  }
}
