package io.switchboard.ice;

import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@DisplayName("IceServers: STUN/TURN entries with TURN REST credentials")
class IceServersTest {

  private static final String SECRET = "tS9f2Kd8Lq1Wm4Xn7Bv0Cz3Hy6Jr5Pa8Ge1Ru4Io7Ok0Ql";
  private static final String OLD_SECRET = "Vb3Nm6Qw9Er2Ty5Ui8Op1As4Df7Gh0Jk3Lz6Xc9Vb2Nm5Qw";
  private static final long NOW_SECONDS = 1_700_000_000L;
  /** 900 ms into the second: the expiry must use whole seconds, not round up. */
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW_SECONDS * 1000 + 900), ZoneOffset.UTC);
  private static final List<String> STUN = List.of("stun:turn.example.org:3478");
  private static final List<String> TURN =
    List.of("turn:turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=tcp");

  /** No token expiry in sight. */
  private static final long FAR = Long.MAX_VALUE;

  /** With no spread: the expiry is exactly the earlier of the TTL and the token's end. */
  private static IceServers ice(List<String> stun, List<String> turn, List<String> secrets, int ttl) {
    return new IceServers(new SwitchboardConfig.Ice(stun, turn, secrets, ttl, false), CLOCK, () -> 0L);
  }

  private static JsonArray forIdentity(IceServers servers, String identity) {
    return servers.issue(identity, FAR).iceServers();
  }

  /**
   * coturn's documented algorithm, computed by openssl rather than by Java:
   * {@code base64(HMAC-SHA1(secret, username))}. Fails (never skips) when openssl cannot be run.
   */
  static String opensslCredential(String secret, String username) {
    ProcessBuilder builder = new ProcessBuilder("openssl", "dgst", "-binary", "-sha1", "-hmac", secret);
    try {
      Process process = builder.start();
      try (OutputStream in = process.getOutputStream()) {
        in.write(username.getBytes(StandardCharsets.UTF_8));
      }
      byte[] mac = process.getInputStream().readAllBytes();
      String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
        fail("openssl failed: " + errors);
      }
      assertEquals(20, mac.length, "HMAC-SHA1 is 20 bytes; openssl said: " + errors);
      return Base64.getEncoder().encodeToString(mac);
    } catch (IOException e) {
      String where = "true".equals(System.getenv("CI")) ? " (CI=true: openssl is required)" : "";
      return fail("cannot run openssl, which this test needs as an independent HMAC-SHA1" + where + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(e);
    }
  }

  @ParameterizedTest(name = "secret {0}, username {1}")
  @DisplayName("restCredential equals openssl's base64(HMAC-SHA1(secret, username))")
  @CsvSource(delimiter = '|', value = {
    SECRET + " | 1700086400:alice",
    SECRET + " | 1700086400:bob@example.org",
    OLD_SECRET + " | 4102444800:a-much-longer-identity-0123456789-0123456789-0123456789",
    "short-but-fine | 1:x",
    "with spaces and $ymbols!%&/()= | 1700000000:j\u00f6rg \u6771\u4eac",
    SECRET + " | 1700086400:",
  })
  void matchesOpenssl(String secret, String username) {
    assertEquals(opensslCredential(secret, username), IceServers.restCredential(secret, username));
  }

  @Test
  @DisplayName("restCredential matches the RFC 2202 HMAC-SHA1 test vector")
  void rfc2202Vector() {
    String expected = Base64.getEncoder().encodeToString(
      HexFormat.of().parseHex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"));
    assertEquals(expected, IceServers.restCredential("Jefe", "what do ya want for nothing?"));
  }

  @Test
  @DisplayName("STUN entry first, then one TURN entry with all TURN URLs and a credential for <expiry>:<identity>")
  void stunThenTurn() {
    JsonArray servers = forIdentity(ice(STUN, TURN, List.of(SECRET, OLD_SECRET), 3600), "alice");
    assertEquals(2, servers.size());

    JsonObject stun = servers.getJsonObject(0);
    assertEquals(new JsonObject().put("urls", new JsonArray(STUN)), stun, "STUN carries no credentials");

    JsonObject turn = servers.getJsonObject(1);
    assertEquals(new JsonArray(TURN), turn.getJsonArray("urls"));
    String username = (NOW_SECONDS + 3600) + ":alice";
    assertEquals(username, turn.getString("username"));
    assertEquals(opensslCredential(SECRET, username), turn.getString("credential"), "the first secret signs");
    assertEquals(3, turn.size(), "urls, username, credential: " + turn);
  }

  @Test
  @DisplayName("expiry is the clock's unix second plus the configured TTL")
  void expiryFollowsClockAndTtl() {
    IceServers.Issued issued = ice(STUN, TURN, List.of(SECRET), 86400).issue("bob", FAR);
    assertEquals((NOW_SECONDS + 86400) + ":bob", issued.iceServers().getJsonObject(1).getString("username"));
    assertEquals((NOW_SECONDS + 86400) + ":bob", issued.turnUsername(), "the username revocations name");
  }

  @Test
  @DisplayName("a credential never outlives its token: the TTL is a maximum")
  void cappedByToken() {
    String username = ice(STUN, TURN, List.of(SECRET), 86400).issue("bob", NOW_SECONDS + 600).turnUsername();
    assertEquals((NOW_SECONDS + 600) + ":bob", username);
  }

  @Test
  @DisplayName("the expiry is spread a little earlier (at most a quarter of the life, at most 900 s): "
    + "two of one identity differ")
  void spread() {
    IceServers servers = new IceServers(new SwitchboardConfig.Ice(STUN, TURN, List.of(SECRET), 86400, false), CLOCK);
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      String username = servers.issue("carol", NOW_SECONDS + 400).turnUsername();
      long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
      assertTrue(expiry <= NOW_SECONDS + 400 && expiry >= NOW_SECONDS + 300, username);
      names.add(username);
    }
    assertTrue(names.size() > 10, "fifty credentials of one token mostly differ: " + names.size());
    String day = servers.issue("carol", FAR).turnUsername();
    long expiry = Long.parseLong(day.substring(0, day.indexOf(':')));
    assertTrue(expiry >= NOW_SECONDS + 86400 - IceServers.MAX_SPREAD_SECONDS, day);
  }

  @Test
  @DisplayName("no TURN URLs: only the STUN entry, no credentials anywhere")
  void noTurn() {
    JsonArray servers = forIdentity(ice(STUN, List.of(), List.of(), 3600), "alice");
    assertEquals(new JsonArray().add(new JsonObject().put("urls", new JsonArray(STUN))), servers);
  }

  @Test
  @DisplayName("no STUN URLs: only the TURN entry")
  void noStun() {
    JsonArray servers = forIdentity(ice(List.of(), TURN, List.of(SECRET), 3600), "alice");
    assertEquals(1, servers.size());
    assertTrue(servers.getJsonObject(0).containsKey("credential"));
  }

  @Test
  @DisplayName("nothing configured: an empty list")
  void nothing() {
    assertEquals(new JsonArray(), forIdentity(ice(List.of(), List.of(), List.of(), 3600), "alice"));
  }

  @Test
  @DisplayName("changing a returned list does not change the next one")
  void resultsAreIndependent() {
    IceServers servers = ice(STUN, TURN, List.of(SECRET), 3600);
    JsonArray first = forIdentity(servers, "alice");
    first.getJsonObject(0).getJsonArray("urls").add("stun:evil.example");
    first.getJsonObject(1).getJsonArray("urls").clear();
    JsonArray second = forIdentity(servers, "alice");
    assertEquals(new JsonArray(STUN), second.getJsonObject(0).getJsonArray("urls"));
    assertEquals(new JsonArray(TURN), second.getJsonObject(1).getJsonArray("urls"));
  }

  @Test
  @DisplayName("different identities get different usernames and credentials")
  void perIdentity() {
    IceServers servers = ice(STUN, TURN, List.of(SECRET), 3600);
    JsonObject alice = forIdentity(servers, "alice").getJsonObject(1);
    JsonObject bob = forIdentity(servers, "bob").getJsonObject(1);
    assertFalse(alice.getString("credential").equals(bob.getString("credential")));
    assertEquals(opensslCredential(SECRET, bob.getString("username")), bob.getString("credential"));
  }
}
