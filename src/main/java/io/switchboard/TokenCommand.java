package io.switchboard;

import io.switchboard.auth.TokenIssuer;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The jar's {@code token} command: mints an HS256 participant or admin token from the node's configuration
 * (or {@code --secret}), for scripts, tests and backends without a JWT library.
 */
final class TokenCommand {

  private TokenCommand() {
  }

  /**
   * Signs a token as the {@code token} command describes.
   *
   * @throws IllegalArgumentException or {@link io.switchboard.config.ConfigException} with a message for the user
   */
  public static String mint(JsonObject json, Map<String, String> options) {
    SwitchboardConfig config = SwitchboardConfig.from(json);
    String secret = options.get("secret");
    if (secret != null) {
      SwitchboardConfig.checkSecret(secret, "--secret");
    } else if (config.auth().generatedSecret() || config.auth().hs256Secrets().isEmpty()) {
      // a secret made up for this command would sign tokens no node accepts
      throw new IllegalArgumentException("token: give --secret or set SWITCHBOARD_AUTH_HS256_SECRETS");
    } else {
      secret = config.auth().hs256Secrets().get(0);
    }
    String identity = required(options, "identity");
    long ttl = parseTtl(options.getOrDefault("ttl", "3600"));
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims;
    if (options.containsKey("admin")) {
      claims = new JsonObject().put("sub", identity).put("admin", true).put("iat", now).put("exp", now + ttl);
    } else {
      String role = options.get("role");
      if (role != null && !role.equals("publisher") && !role.equals("viewer")) {
        throw new IllegalArgumentException("token: --role must be publisher or viewer");
      }
      claims = TokenIssuer.participantClaims(identity, required(options, "room"), role, options.get("name"), now, ttl);
    }
    return new TokenIssuer(secret).sign(TokenIssuer.scope(claims, config.auth()));
  }

  private static long parseTtl(String value) {
    try {
      long ttl = Long.parseLong(value);
      if (ttl > 0) {
        return ttl;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("token: --ttl must be a positive number of seconds");
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("token: --" + name + " is required");
    }
    return value;
  }

}
