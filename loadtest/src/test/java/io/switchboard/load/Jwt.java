package io.switchboard.load;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Mints HS256 participant tokens the way a customer's backend would (PROTOCOL.md section 2): the HMAC key is the
 * UTF-8 bytes of the secret the node was started with.
 */
public final class Jwt {

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final String HEADER = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

  private final SecretKeySpec key;

  public Jwt(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("no secret: pass -Dsecret=... (the node's auth.hs256Secrets)");
    }
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /** A token for {@code identity} in {@code room} with the given role, valid for an hour. */
  public String participant(String identity, String room, String role) {
    long now = System.currentTimeMillis() / 1000;
    String claims = "{\"sub\":\"" + identity + "\",\"room\":\"" + room + "\",\"role\":\"" + role
      + "\",\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}";
    String signingInput = HEADER + "." + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    return signingInput + "." + B64.encodeToString(sign(signingInput));
  }

  private byte[] sign(String input) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
