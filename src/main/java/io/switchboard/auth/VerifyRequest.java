package io.switchboard.auth;

/** A token to verify and the kind of token the caller needs. */
public record VerifyRequest(String token, Kind kind) {

  public enum Kind { PARTICIPANT, ADMIN, ANY }

  @Override
  public String toString() {
    return "VerifyRequest[kind=" + kind + "]"; // never print the token
  }
}
