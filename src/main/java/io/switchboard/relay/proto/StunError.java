package io.switchboard.relay.proto;

/** The error codes this server answers with (RFC 8489 section 14.8, RFC 8656 section 19), with reason phrases. */
public enum StunError {
  BAD_REQUEST(400, "Bad Request"),
  UNAUTHORIZED(401, "Unauthorized"),
  FORBIDDEN(403, "Forbidden"),
  UNKNOWN_ATTRIBUTE(420, "Unknown Attribute"),
  ALLOCATION_MISMATCH(437, "Allocation Mismatch"),
  STALE_NONCE(438, "Stale Nonce"),
  ADDRESS_FAMILY_NOT_SUPPORTED(440, "Address Family not Supported"),
  WRONG_CREDENTIALS(441, "Wrong Credentials"),
  UNSUPPORTED_TRANSPORT_PROTOCOL(442, "Unsupported Transport Protocol"),
  PEER_ADDRESS_FAMILY_MISMATCH(443, "Peer Address Family Mismatch"),
  ALLOCATION_QUOTA_REACHED(486, "Allocation Quota Reached"),
  SERVER_ERROR(500, "Server Error"),
  INSUFFICIENT_CAPACITY(508, "Insufficient Capacity");

  private final int code;
  private final String reason;

  StunError(int code, String reason) {
    this.code = code;
    this.reason = reason;
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  public static StunError of(int code) {
    for (StunError error : values()) {
      if (error.code == code) {
        return error;
      }
    }
    throw new IllegalArgumentException("no such error code " + code);
  }
}
