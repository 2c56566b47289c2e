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
import java.util.random.RandomGenerator;

/**
 * Builds the {@code iceServers} list handed to browsers. TURN entries carry ephemeral credentials in the
 * TURN REST style that coturn's {@code --use-auth-secret} accepts: username {@code <unix expiry>:<identity>},
 * credential {@code base64(HMAC-SHA1(secret, username))}. The first configured secret signs; the others exist
 * so the TURN side can accept older credentials while a secret is rotated.
 *
 * <p>A credential never outlives the token it was issued for: the expiry is the earlier of
 * {@code ice.credentialTtlSeconds} from now and the token's {@code exp}. It is then moved a random few seconds to
 * minutes earlier, so two credentials of one identity (a reconnect with the same token, say) almost never share a
 * username: revoking one (a kick, a replacement) must not revoke the other.
 */
public final class IceServers {

  /** The spread is at most this, and at most a quarter of the credential's life. */
  static final long MAX_SPREAD_SECONDS = 900;

  /** A list and the TURN username in it (null without TURN), which revoking the credential names. */
  public record Issued(JsonArray iceServers, String turnUsername) {
  }

  private final SwitchboardConfig.Ice config;
  private final Clock clock;
  private final RandomGenerator random;
  private final JsonObject stunEntry;
  private final JsonArray turnUrls;

  public IceServers(SwitchboardConfig.Ice config, Clock clock) {
    this(config, clock, RandomGenerator.getDefault());
  }

  IceServers(SwitchboardConfig.Ice config, Clock clock, RandomGenerator random) {
    this.config = config;
    this.clock = clock;
    this.random = random;
    this.stunEntry = config.stunUrls().isEmpty() ? null
      : new JsonObject().put("urls", new JsonArray(config.stunUrls()));
    this.turnUrls = new JsonArray(config.turnUrls());
  }

  /** The list for {@code identity}, with fresh TURN credentials that end by {@code notAfterEpochSeconds}. */
  public Issued issue(String identity, long notAfterEpochSeconds) {
    JsonArray servers = new JsonArray();
    if (stunEntry != null) {
      servers.add(stunEntry.copy());
    }
    String username = null;
    if (!turnUrls.isEmpty()) {
      long now = clock.millis() / 1000;
      long expiry = Math.min(now + config.credentialTtlSeconds(), notAfterEpochSeconds);
      long spread = Math.min(MAX_SPREAD_SECONDS, (expiry - now) / 4);
      if (spread > 0) {
        expiry -= random.nextLong(spread + 1);
      }
      username = expiry + ":" + identity;
      servers.add(new JsonObject()
        .put("urls", turnUrls.copy())
        .put("username", username)
        .put("credential", restCredential(config.turnSecrets().get(0), username)));
    }
    return new Issued(servers, username);
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
