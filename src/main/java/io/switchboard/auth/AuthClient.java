package io.switchboard.auth;

import io.vertx.core.Future;

/**
 * The edge's token check: verifies on the calling event loop, so an upgrade costs no event-bus hop (the hop
 * to a single auth verticle was a fifth of the CPU of a connect in the profile). Each edge instance has its
 * own, so key material is parsed once per instance and verification spreads over every event loop. Checking
 * an HS256, RS256 or ES256 signature is CPU work of well under a millisecond, never I/O.
 */
public final class AuthClient {

  private final TokenVerifier verifier;

  public AuthClient(TokenVerifier verifier) {
    this.verifier = verifier;
  }

  public Future<Claims> verify(String token, TokenKind kind) {
    if (token == null || token.isEmpty()) {
      return Future.failedFuture(new AuthFailureException(AuthFailureException.Reason.MISSING,
        "no token: send Authorization: Bearer <jwt> or access_token=<jwt>"));
    }
    try {
      return Future.succeededFuture(switch (kind) {
        case PARTICIPANT -> verifier.verifyParticipant(token);
        case ADMIN -> verifier.verifyAdmin(token);
        case ANY -> verifier.verifyAny(token);
      });
    } catch (AuthFailureException failure) {
      return Future.failedFuture(failure);
    } catch (RuntimeException unexpected) {
      // a token that trips the JWT library is still just a bad token
      return Future.failedFuture(new AuthFailureException(AuthFailureException.Reason.MALFORMED,
        "token could not be verified"));
    }
  }
}
