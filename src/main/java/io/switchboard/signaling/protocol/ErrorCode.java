package io.switchboard.signaling.protocol;

/**
 * The error codes of docs/protocol.md ("Errors and limits"), with their wire spelling. {@code resume-failed} comes
 * from the protocol's section on resume; {@code duplicate-identity} is Switchboard's, for
 * {@code rooms.duplicateIdentity: reject}.
 */
public enum ErrorCode {
  BAD_MESSAGE("bad-message"),
  TOO_LARGE("too-large"),
  UNKNOWN_PEER("unknown-peer"),
  FORBIDDEN("forbidden"),
  RATE_LIMITED("rate-limited"),
  ROOM_FULL("room-full"),
  REPLACED("replaced"),
  RESUME_FAILED("resume-failed"),
  DUPLICATE_IDENTITY("duplicate-identity");

  private final String wire;

  ErrorCode(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
