package io.switchboard.ice;

import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;

/**
 * Builds the {@code iceServers} list handed to browsers. TURN entries carry ephemeral credentials in the
 * TURN REST style that coturn's {@code --use-auth-secret} accepts: username {@code <unix expiry>:<identity>},
 * credential {@code base64(HMAC-SHA1(secret, username))}. The first configured secret signs; the others exist
 * so the TURN side can accept older credentials while a secret is rotated.
 */
public final class IceServers {

  private final SwitchboardConfig.Ice config;
  private final Clock clock;
  private final JsonObject stunEntry;
  private final JsonArray turnUrls;

  public IceServers(SwitchboardConfig.Ice config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.stunEntry = config.stunUrls().isEmpty() ? null
      : new JsonObject().put("urls", new JsonArray(config.stunUrls()));
    this.turnUrls = new JsonArray(config.turnUrls());
  }

  /** The list for {@code identity}, with fresh TURN credentials. */
  public JsonArray forIdentity(String identity) {
    JsonArray servers = new JsonArray();
    if (stunEntry != null) {
      servers.add(stunEntry.copy());
    }
    if (!turnUrls.isEmpty()) {
      long expiry = clock.millis() / 1000 + config.credentialTtlSeconds();
      String username = expiry + ":" + identity;
      servers.add(new JsonObject()
        .put("urls", turnUrls.copy())
        .put("username", username)
        .put("credential", restCredential(config.turnSecrets().get(0), username)));
    }
    return servers;
  }

  /** {@code base64(HMAC-SHA1(secret, username))}, as coturn computes it for --use-auth-secret. */
  public static String restCredential(String secret, String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is not available", e);
    }
  }
}
