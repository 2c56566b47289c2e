package io.switchboard.signaling.protocol;

/** The error codes of PROTOCOL.md section 6, with their wire spelling. */
public enum ErrorCode {
  BAD_MESSAGE("bad-message"),
  TOO_LARGE("too-large"),
  UNKNOWN_PEER("unknown-peer"),
  FORBIDDEN("forbidden"),
  RATE_LIMITED("rate-limited"),
  ROOM_FULL("room-full"),
  REPLACED("replaced");

  private final String wire;

  ErrorCode(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
