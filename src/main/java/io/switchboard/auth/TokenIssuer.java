package io.switchboard.auth;

import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Signs HS256 tokens: development tokens and the {@code token} command of the jar. Switchboard never needs
 * to sign RS256/ES256 tokens; those come from the operator's own identity service.
 */
public final class TokenIssuer {

  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final String HEADER = B64URL.encodeToString(
    "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

  private final byte[] secret;

  public TokenIssuer(String secret) {
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
  }

  public String sign(JsonObject claims) {
    String signingInput = HEADER + "." + B64URL.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64URL.encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** Adds the issuer and audience a node configured with {@code auth} requires, when it requires them. */
  public static JsonObject scope(JsonObject claims, io.switchboard.config.SwitchboardConfig.Auth auth) {
    if (!auth.issuer().isEmpty()) {
      claims.put("iss", auth.issuer());
    }
    if (!auth.audience().isEmpty()) {
      claims.put("aud", auth.audience());
    }
    return claims;
  }

  /** Claims of a participant token valid for {@code ttlSeconds} from {@code nowSeconds}. */
  public static JsonObject participantClaims(String identity, String room, String role, String name,
                                             long nowSeconds, long ttlSeconds) {
    JsonObject claims = new JsonObject().put("sub", identity).put("room", room).put("iat", nowSeconds)
      .put("exp", nowSeconds + ttlSeconds);
    if (role != null) {
      claims.put("role", role);
    }
    if (name != null) {
      claims.put("name", name);
    }
    return claims;
  }
}
