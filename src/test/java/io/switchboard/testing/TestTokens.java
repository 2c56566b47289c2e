package io.switchboard.testing;

import io.switchboard.auth.TokenIssuer;
import io.vertx.core.json.JsonObject;

/** Tokens signed with {@link TestNode#JWT_KEY}, the HS256 key every test node (in-JVM or process) trusts. */
public final class TestTokens {

  private static final TokenIssuer ISSUER = new TokenIssuer(TestNode.JWT_KEY);

  private TestTokens() {
  }

  /** A valid participant token (publisher unless {@code role} says otherwise), one hour. */
  public static String participant(String identity, String room, String role) {
    long now = System.currentTimeMillis() / 1000;
    return ISSUER.sign(TokenIssuer.participantClaims(identity, room, role, null, now, 3600));
  }

  public static String admin() {
    long now = System.currentTimeMillis() / 1000;
    return ISSUER.sign(new JsonObject().put("sub", "ops").put("admin", true).put("exp", now + 3600));
  }

  public static String sign(JsonObject claims) {
    return ISSUER.sign(claims);
  }
}
