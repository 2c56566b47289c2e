package io.switchboard.signaling.protocol;

/** Client-to-server frame types (docs/protocol.md, "Client frames"). */
public enum FrameType {
  OFFER("offer"),
  ANSWER("answer"),
  CANDIDATE("candidate"),
  MESSAGE("message"),
  PING("ping"),
  LEAVE("leave");

  private final String wire;

  FrameType(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The type for a wire name, or null when unknown. */
  public static FrameType of(String wire) {
    return switch (wire) {
      case "offer" -> OFFER;
      case "answer" -> ANSWER;
      case "candidate" -> CANDIDATE;
      case "message" -> MESSAGE;
      case "ping" -> PING;
      case "leave" -> LEAVE;
      default -> null;
    };
  }
}
