package io.switchboard.signaling.room;

import java.util.Locale;

/** A resume that cannot be honoured; the session then joins afresh, told why with {@code resume-failed}. */
public final class ResumeFailedException extends RuntimeException {

  /** Why, as the metric's {@code reason} tag and the error message say it. */
  public enum Reason {
    UNKNOWN_SESSION("no session in this room matches the resume token (unknown, already used, or expired)"),
    OTHER_IDENTITY("the resume token belongs to another identity"),
    EXPIRED("the grace period of the session is over"),
    OVERFLOWED("too many frames arrived for the session while it was away; some were dropped"),
    MALFORMED("the resume token is malformed"),
    UNAVAILABLE("presence is unavailable on this node");

    private final String message;

    Reason(String message) {
      this.message = message;
    }

    public String message() {
      return message;
    }

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;

  public ResumeFailedException(Reason reason) {
    super(reason.message());
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
