package io.switchboard.auth;

/**
 * A refused token. {@link #reason} is a bounded label for metrics; the message is safe to show the client
 * and never contains the token.
 */
public final class AuthFailureException extends RuntimeException {

  /** Bounded set of failure kinds, used as a metric label. */
  public enum Reason {
    MISSING, MALFORMED, ALGORITHM, SIGNATURE, EXPIRED, NOT_YET_VALID, CLAIMS, ISSUER, AUDIENCE, FORBIDDEN
  }

  private final Reason reason;

  public AuthFailureException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
