package io.switchboard.signaling.protocol;

/** A frame the server refuses; becomes an {@code error} frame that echoes {@code ref}. No stack trace. */
public final class FrameException extends Exception {

  private final ErrorCode code;
  private final String ref;

  public FrameException(ErrorCode code, String message, String ref) {
    super(message, null, false, false);
    this.code = code;
    this.ref = ref;
  }

  public ErrorCode code() {
    return code;
  }

  /** The client's {@code ref}, or null. */
  public String ref() {
    return ref;
  }
}
