package io.switchboard.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.auth.AuthFailureException;
import io.switchboard.auth.Claims;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz target 4: token parsing and checking ({@link TokenVerifier}), with a fixed HS256 key and a fixed clock. The
 * input is the token text (one byte per character), or, when it starts with <code>{</code>, the header's and the
 * payload's JSON on two lines, which this test encodes (so the fuzzer edits claims directly, not their base64).
 * Each token is verified three ways: as given; with its header and payload re-signed with the right key (so the
 * claim checks behind the signature get fuzzed too); and re-signed with wrong keys, among them the RS256 public
 * key's PEM text used as an HMAC secret (algorithm confusion).
 *
 * <p>Invariants, and what each protects:
 * <ul>
 *   <li>for anything, verifyParticipant / verifyAdmin / verifyAny return or throw {@link AuthFailureException} with a
 *       reason, nothing else (a garbage token is a 401, never a 500), and the message never quotes the token;</li>
 *   <li>a token is accepted only if its signature is the HS256 HMAC, under the configured key, of exactly its
 *       header and payload as sent (checked here independently): no token without a valid signature, none signed
 *       with another key, none signed HS256 with the RS256 public key;</li>
 *   <li>accepted claims are what PROTOCOL.md promises: not expired at the fixed clock (with the skew), a subject of
 *       1-128 characters, a valid room name for participants, publisher or viewer, a name of at most 128
 *       characters, meta at most 1 KiB, admin only with {@code "admin": true}.</li>
 * </ul>
 */
@DisplayName("fuzz: JWT verification")
class TokenFuzzTest {

  /** The fixed clock: 2025-06-15T15:06:40Z. Seed tokens are dated around it. */
  static final long NOW = 1_750_000_000L;
  static final int SKEW = 30;
  static final String KEY = "fuzz-hs256-key-0123456789abcdefghijklmnopqrstuvwxyz";
  private static final String OTHER_KEY = "fuzz-hs256-other-key-0123456789abcdefghijklmnopqrst";
  /** An RS256 public key the verifier also trusts (its private half is not needed: nothing is signed with it). */
  static final String RSA_PUBLIC_PEM = """
    -----BEGIN PUBLIC KEY-----
    MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA03cr+zF0QXvAl232JIfG
    xTJMFUD/es40KI84RoWaIauReR5TEOqwEw+Yw2vKol6M9Ke1NeIg875U85HPClqN
    +69Ruc2IBc3kiCFVkQwuJxwhl/0r/+C6lsSWoJ55kpzjolYPJ7UeC/g1U79HFB7Q
    2OiKx/wY1TQnj1z+eG3aAj7wSJPv4iMoAW1m9K54IKeUFgkrOc0sggn+CVyW1c/Q
    xedq4FZPkdGrLeNe5aXRvk7NkWEuiRekhAafgLEJQW5nL1nF51pMpBVC8RJU7eiK
    dE5a9TrDDIRn1c9mcwz3WuAqUdtBFfVAa9SgR6UWEzT9VLwbZbdmaZe1lj3/C2vP
    9wIDAQAB
    -----END PUBLIC KEY-----
    """;
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final FuzzStats STATS = new FuzzStats(TokenFuzzTest.class, "verify");

  private static Vertx vertx;
  private static TokenVerifier verifier;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    SwitchboardConfig.Auth auth = new SwitchboardConfig.Auth(List.of(KEY), List.of(RSA_PUBLIC_PEM), List.of(), "", "",
      SKEW, false, false);
    verifier = new TokenVerifier(vertx, auth, Clock.fixed(Instant.ofEpochSecond(NOW, 250_000_000), ZoneOffset.UTC));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      STATS.checkFuzzed();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @FuzzTest(maxDuration = "8s")
  void verify(byte[] input) {
    STATS.executed();
    String token = new String(input, StandardCharsets.ISO_8859_1);
    if (token.startsWith("{")) {
      int newline = token.indexOf('\n');
      String header = newline < 0 ? token : token.substring(0, newline);
      String payload = newline < 0 ? "" : token.substring(newline + 1);
      token = B64URL.encodeToString(header.getBytes(StandardCharsets.ISO_8859_1)) + "."
        + B64URL.encodeToString(payload.getBytes(StandardCharsets.ISO_8859_1)) + ".c2lnbmF0dXJl";
    }
    verifyAll(token);
    int firstDot = token.indexOf('.');
    int secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (secondDot < 0) {
      return;
    }
    String signingInput = token.substring(0, secondDot);
    verifyAll(signingInput + "." + B64URL.encodeToString(hmac(KEY.getBytes(StandardCharsets.UTF_8), signingInput)));
    for (String wrong : new String[]{OTHER_KEY, RSA_PUBLIC_PEM}) {
      String forged = signingInput + "." + B64URL.encodeToString(hmac(wrong.getBytes(StandardCharsets.UTF_8),
        signingInput));
      if (!forged.equals(token)) {
        verifyAll(forged);
      }
    }
  }

  private static void verifyAll(String token) {
    check(token, "participant", verifier::verifyParticipant);
    check(token, "admin", verifier::verifyAdmin);
    check(token, "any", verifier::verifyAny);
  }

  private static void check(String token, String kind, Function<String, Claims> verify) {
    Claims claims;
    try {
      claims = verify.apply(token);
    } catch (AuthFailureException e) {
      assertNotNull(e.reason());
      assertNotNull(e.getMessage());
      if (token.length() >= 8) {
        assertFalse(e.getMessage().contains(token), "the refusal quotes the token: " + e.getMessage());
      }
      return;
    } catch (RuntimeException e) {
      fail(kind + " threw " + e + " (only AuthFailureException is allowed)", e);
      return;
    }
    signedWithKey(token);
    acceptedClaims(token, kind, claims);
  }

  /** The oracle: HS256 in the header, and the signature is HMAC-SHA256(KEY, header.payload) as sent. */
  private static void signedWithKey(String token) {
    String[] parts = token.split("\\.", -1);
    assertEquals(3, parts.length, "accepted a token that is not three parts");
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    assertEquals("HS256", header.getValue("alg"), "accepted a token whose alg is not HS256: " + header);
    byte[] expected = hmac(KEY.getBytes(StandardCharsets.UTF_8), parts[0] + "." + parts[1]);
    byte[] given = Base64.getUrlDecoder().decode(parts[2]);
    assertTrue(MessageDigest.isEqual(expected, given), "accepted a token whose signature is not ours: " + token);
  }

  private static void acceptedClaims(String token, String kind, Claims claims) {
    String[] parts = token.split("\\.", -1);
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    Object exp = payload.getValue("exp");
    assertTrue(exp instanceof Number, "accepted without a numeric exp");
    assertTrue(NOW - SKEW < ((Number) exp).longValue(), "accepted an expired token: exp " + exp);
    for (String claim : new String[]{"nbf", "iat"}) {
      Object value = payload.getValue(claim);
      assertTrue(value == null || (value instanceof Number n && n.longValue() <= NOW + SKEW),
        "accepted a token with " + claim + " " + value);
    }
    assertTrue(!claims.subject().isEmpty() && claims.subject().length() <= TokenVerifier.MAX_SUBJECT_LENGTH,
      "subject " + claims.subject());
    assertEquals(payload.getValue("sub"), claims.subject());
    assertTrue(claims.name() != null && claims.name().length() <= TokenVerifier.MAX_NAME_LENGTH, "name");
    assertTrue(claims.role().equals("publisher") || claims.role().equals("viewer"), "role " + claims.role());
    assertNotNull(claims.meta());
    assertTrue(claims.meta().encode().getBytes(StandardCharsets.UTF_8).length <= TokenVerifier.MAX_META_BYTES);
    switch (kind) {
      case "participant" -> {
        assertNotNull(claims.room());
        assertTrue(TokenVerifier.ROOM_NAME.matcher(claims.room()).matches(), "room " + claims.room());
      }
      case "admin" -> {
        assertTrue(claims.admin(), "an admin token without admin");
        assertEquals(Boolean.TRUE, payload.getValue("admin"));
      }
      default -> {
      }
    }
  }

  static byte[] hmac(byte[] key, String signingInput) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(signingInput.getBytes(StandardCharsets.ISO_8859_1));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
