package io.switchboard;

import io.switchboard.auth.Claims;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.config.ConfigException;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("the jar's token command mints tokens a node with the same configuration accepts")
class TokenCommandTest {

  private static final String KEY = "token-command-key-0123456789abcdefghijklmnop";
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static JsonObject configWithKey() {
    return ConfigLoader.builtInDefault().mergeIn(new JsonObject().put("auth", new JsonObject()
      .put("hs256Secrets", new JsonArray().add(KEY)).put("issuer", "https://auth.test").put("audience", "sb")
      .put("devTokens", false)), true);
  }

  private static TokenVerifier verifierFor(JsonObject config) {
    return new TokenVerifier(vertx, SwitchboardConfig.from(config).auth(), Clock.systemUTC());
  }

  @Test
  @DisplayName("a participant token carries identity, room, role, name and the configured iss/aud")
  void participant() {
    JsonObject config = configWithKey();
    String token = TokenCommand.mint(config, Map.of("identity", "alice", "room", "standup", "role", "viewer",
      "name", "Alice", "ttl", "600"));
    Claims claims = verifierFor(config).verifyParticipant(token);
    assertEquals("alice", claims.subject());
    assertEquals("standup", claims.room());
    assertEquals("viewer", claims.role());
    assertEquals("Alice", claims.name());
    long now = System.currentTimeMillis() / 1000;
    assertTrue(Math.abs(claims.expiresAtEpochSeconds() - (now + 600)) < 5);
  }

  @Test
  @DisplayName("an admin token passes the admin check")
  void admin() {
    JsonObject config = configWithKey();
    String token = TokenCommand.mint(config, Map.of("identity", "ops", "admin", "true"));
    assertTrue(verifierFor(config).verifyAdmin(token).admin());
  }

  @Test
  @DisplayName("without a configured secret it refuses to sign, rather than sign with a made-up one")
  void noSecret() {
    JsonObject devDefault = ConfigLoader.builtInDefault();
    devDefault.getJsonObject("auth").put("devTokens", true);
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
      () -> TokenCommand.mint(devDefault, Map.of("identity", "alice", "room", "standup")));
    assertTrue(refused.getMessage().contains("--secret"));
  }

  @Test
  @DisplayName("placeholder or short --secret, bad role, bad ttl and missing options are refused")
  void refusals() {
    JsonObject config = configWithKey();
    assertThrows(ConfigException.class, () -> TokenCommand.mint(config,
      Map.of("identity", "a", "room", "r", "secret", "REPLACE-ME-with-a-real-secret-of-32-chars")));
    assertThrows(ConfigException.class, () -> TokenCommand.mint(config,
      Map.of("identity", "a", "room", "r", "secret", "short")));
    assertThrows(IllegalArgumentException.class, () -> TokenCommand.mint(config,
      Map.of("identity", "a", "room", "r", "role", "admin")));
    assertThrows(IllegalArgumentException.class, () -> TokenCommand.mint(config,
      Map.of("identity", "a", "room", "r", "ttl", "0")));
    assertThrows(IllegalArgumentException.class, () -> TokenCommand.mint(config, Map.of("room", "r")));
    assertThrows(IllegalArgumentException.class, () -> TokenCommand.mint(config, Map.of("identity", "a")));
    assertThrows(ConfigException.class, () -> TokenCommand.mint(new JsonObject(configWithKey().encode())
      .put("auth", configWithKey().getJsonObject("auth").copy().put("hs256Secrets",
        new JsonArray().add("REPLACE-ME: set SWITCHBOARD_AUTH_HS256_SECRETS"))), Map.of("identity", "a", "room", "r")));
  }
}
