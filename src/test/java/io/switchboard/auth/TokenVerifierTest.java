package io.switchboard.auth;

import io.switchboard.auth.AuthFailureException.Reason;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@DisplayName("TokenVerifier: JWT checks of docs/protocol.md, Authentication")
class TokenVerifierTest {

  /**
   * The fixed clock reads the wall-clock second at class load (plus 400 ms), so the tokens here are judged
   * exactly as they would be in production, where the verifier's clock is the system clock.
   */
  private static final long NOW = System.currentTimeMillis() / 1000;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW, 400_000_000), ZoneOffset.UTC);
  private static final int SKEW = 30;
  private static final String SECRET = "k3Jd9sLq0ZxW2vB7nM4tY8uR1oP6aE5cHfGiQ0wXyTzA";
  private static final String ROTATED_SECRET = "Zr8Yt6Uw4Ev2Qa0Sd9Fg7Hj5Kl3Zx1Cv8Bn6Mq4We2Rt0Yu";
  private static final String OTHER_SECRET = "Pp0Oo9Ii8Uu7Yy6Tt5Rr4Ee3Ww2Qq1AaSsDdFfGgHhJjKk";
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private static Vertx vertx;
  private static KeyPair rsa;
  private static KeyPair otherRsa;
  private static KeyPair ec;
  private static TokenVerifier verifier;

  @BeforeAll
  static void setUp() throws GeneralSecurityException {
    vertx = Vertx.vertx();
    KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
    rsaGenerator.initialize(2048);
    rsa = rsaGenerator.generateKeyPair();
    otherRsa = rsaGenerator.generateKeyPair();
    KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
    ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
    ec = ecGenerator.generateKeyPair();
    verifier = verifier(List.of(SECRET, ROTATED_SECRET), List.of(pem(rsa.getPublic())), List.of(pem(ec.getPublic())),
      "", "");
  }

  @AfterAll
  static void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------- helpers

  private static TokenVerifier verifier(List<String> secrets, List<String> rsaKeys, List<String> ecKeys,
                                        String issuer, String audience) {
    return verifier(secrets, rsaKeys, ecKeys, issuer, audience, SKEW);
  }

  private static TokenVerifier verifier(List<String> secrets, List<String> rsaKeys, List<String> ecKeys,
                                        String issuer, String audience, int skew) {
    return new TokenVerifier(vertx,
      new SwitchboardConfig.Auth(secrets, rsaKeys, ecKeys, issuer, audience, skew, false, false), CLOCK);
  }

  private static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getEncoded())
      + "\n-----END PUBLIC KEY-----\n";
  }

  /** A valid participant payload: alice in standup, expiring in 10 minutes. */
  private static JsonObject claims() {
    return new JsonObject().put("sub", "alice").put("room", "standup").put("iat", NOW - 5).put("exp", NOW + 600);
  }

  private static String b64(String json) {
    return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String header(String alg) {
    return b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}");
  }

  private static String hmac(String algorithm, String secret, String signingInput) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
      return B64URL.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static String sign(String algorithm, PrivateKey key, String signingInput) {
    try {
      Signature signature = Signature.getInstance(algorithm);
      signature.initSign(key);
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return B64URL.encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static String hs256(JsonObject payload) {
    return hs256(payload, SECRET);
  }

  static String hs256(JsonObject payload, String secret) {
    return hs256Raw(payload.encode(), secret);
  }

  /** HS256 over a payload given as raw JSON text, for payloads JsonObject cannot express. */
  static String hs256Raw(String payloadJson, String secret) {
    String input = header("HS256") + "." + b64(payloadJson);
    return input + "." + hmac("HmacSHA256", secret, input);
  }

  static String rs256(JsonObject payload, KeyPair keys) {
    String input = header("RS256") + "." + b64(payload.encode());
    return input + "." + sign("SHA256withRSA", keys.getPrivate(), input);
  }

  static String es256(JsonObject payload) {
    String input = header("ES256") + "." + b64(payload.encode());
    return input + "." + sign("SHA256withECDSAinP1363Format", ec.getPrivate(), input);
  }

  /** Asserts a refusal with {@code reason} whose message does not repeat the token or any sizeable part of it. */
  private static AuthFailureException assertRefused(Reason reason, String token, Executable verification) {
    AuthFailureException failure = assertThrows(AuthFailureException.class, verification);
    assertEquals(reason, failure.reason(), "reason; message: " + failure.getMessage());
    assertTokenNotEchoed(failure, token);
    return failure;
  }

  private static AuthFailureException assertRefused(Reason reason, String token) {
    return assertRefused(reason, token, () -> verifier.verifyParticipant(token));
  }

  private static void assertTokenNotEchoed(AuthFailureException failure, String token) {
    String message = failure.getMessage();
    assertFalse(message == null || message.isBlank(), "a refusal must say why");
    if (token == null || token.isEmpty()) {
      return;
    }
    assertFalse(message.contains(token), "message contains the token: " + message);
    for (String segment : token.split("\\.")) {
      if (segment.length() >= 8) {
        assertFalse(message.contains(segment), "message contains a token segment: " + message);
      }
    }
  }

  // ---------------------------------------------------------------- tests

  @Nested
  @DisplayName("accepted tokens")
  class Accepted {

    @Test
    @DisplayName("HS256 with only the required claims: name defaults to sub, role to publisher, meta to {}")
    void hs256Defaults() {
      Claims c = verifier.verifyParticipant(hs256(claims()));
      assertEquals("alice", c.subject());
      assertEquals("standup", c.room());
      assertEquals("alice", c.name());
      assertEquals("publisher", c.role());
      assertEquals(new JsonObject(), c.meta());
      assertFalse(c.admin());
      assertEquals(NOW + 600, c.expiresAtEpochSeconds());
    }

    @Test
    @DisplayName("HS256 with name, role viewer and meta: all carried into Claims")
    void hs256AllClaims() {
      JsonObject meta = new JsonObject().put("avatar", "https://x.example/a.png").put("tags", new JsonArray().add(1));
      Claims c = verifier.verifyParticipant(
        hs256(claims().put("name", "Alice A.").put("role", "viewer").put("meta", meta)));
      assertEquals("Alice A.", c.name());
      assertEquals("viewer", c.role());
      assertEquals(meta, c.meta());
    }

    @Test
    @DisplayName("HS256 signed with a second (rotated) secret is accepted")
    void hs256RotatedSecret() {
      assertEquals("alice", verifier.verifyParticipant(hs256(claims(), ROTATED_SECRET)).subject());
    }

    @Test
    @DisplayName("RS256 signed with the configured key pair")
    void rs256Accepted() {
      Claims c = verifier.verifyParticipant(rs256(claims().put("role", "viewer"), rsa));
      assertEquals("alice", c.subject());
      assertEquals("standup", c.room());
      assertEquals("viewer", c.role());
    }

    @Test
    @DisplayName("ES256 (P-256, JOSE r||s signature) signed with the configured key pair")
    void es256Accepted() {
      Claims c = verifier.verifyParticipant(es256(claims().put("name", "Al")));
      assertEquals("alice", c.subject());
      assertEquals("Al", c.name());
    }

    @Test
    @DisplayName("a verifier with only an RS256 key accepts RS256")
    void rs256Only() {
      TokenVerifier rsaOnly = verifier(List.of(), List.of(pem(rsa.getPublic())), List.of(), "", "");
      assertEquals("alice", rsaOnly.verifyParticipant(rs256(claims(), rsa)).subject());
    }

    @Test
    @DisplayName("TokenIssuer's tokens are accepted (dev tokens round-trip)")
    void issuerRoundTrip() {
      String token = new TokenIssuer(SECRET).sign(TokenIssuer.participantClaims("bob", "r1", "viewer", "Bob", NOW, 60));
      Claims c = verifier.verifyParticipant(token);
      assertEquals("bob", c.subject());
      assertEquals("Bob", c.name());
      assertEquals("viewer", c.role());
      assertEquals(NOW + 60, c.expiresAtEpochSeconds());
    }
  }

  @Nested
  @DisplayName("malformed tokens")
  class Malformed {

    @Test
    @DisplayName("null or empty is MISSING")
    void missing() {
      assertRefused(Reason.MISSING, null);
      assertRefused(Reason.MISSING, "");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @DisplayName("not three non-empty base64url JSON segments is MALFORMED")
    @ValueSource(strings = {
      "garbage",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9",
      "a.b.c.d",
      "..",
      ".eyJzdWIiOiJhbGljZSJ9.c2ln",
      "eyJhbGciOiJIUzI1NiJ9..c2ln",
      "!!!.###.$$$",
      "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln",
    })
    void malformed(String token) {
      assertRefused(Reason.MALFORMED, token);
    }

    @Test
    @DisplayName("a header that is not JSON, or JSON that is not an object, is MALFORMED")
    void headerNotJsonObject() {
      String payload = b64(claims().encode());
      for (String header : List.of("not json at all", "[\"HS256\"]", "\"HS256\"", "null", "42", "{\"alg\":")) {
        String input = b64(header) + "." + payload;
        String token = input + "." + hmac("HmacSHA256", SECRET, input);
        assertRefused(Reason.MALFORMED, token);
      }
    }

    @Test
    @DisplayName("a payload that is not a JSON object is MALFORMED")
    void payloadNotJsonObject() {
      for (String payload : List.of("not json", "[1,2]", "null")) {
        assertRefused(Reason.MALFORMED, hs256Raw(payload, SECRET));
      }
    }

    @Test
    @DisplayName("a token longer than MAX_TOKEN_LENGTH is MALFORMED even when validly signed")
    void tooLong() {
      String token = hs256(claims().put("pad", "x".repeat(TokenVerifier.MAX_TOKEN_LENGTH)));
      assertTrue(token.length() > TokenVerifier.MAX_TOKEN_LENGTH);
      assertRefused(Reason.MALFORMED, token);
      assertRefused(Reason.MALFORMED, "a".repeat(TokenVerifier.MAX_TOKEN_LENGTH + 1));
    }

    @Test
    @DisplayName("a validly signed token just under MAX_TOKEN_LENGTH is accepted")
    void justUnderMaxLength() {
      String base = hs256(claims().put("pad", ""));
      int room = TokenVerifier.MAX_TOKEN_LENGTH - base.length();
      // base64 grows 4/3: pad so the token stays within the limit
      String token = hs256(claims().put("pad", "x".repeat(room * 3 / 4 - 3)));
      assertTrue(token.length() <= TokenVerifier.MAX_TOKEN_LENGTH
        && token.length() > TokenVerifier.MAX_TOKEN_LENGTH - 8, "length " + token.length());
      assertEquals("alice", verifier.verifyParticipant(token).subject());
    }
  }

  @Nested
  @DisplayName("algorithms")
  class Algorithms {

    @Test
    @DisplayName("alg none with an empty signature is ALGORITHM")
    void noneUnsigned() {
      String token = header("none") + "." + b64(claims().encode()) + ".";
      assertRefused(Reason.ALGORITHM, token);
    }

    @Test
    @DisplayName("alg none with some signature, in any case spelling, is ALGORITHM")
    void noneWithSignature() {
      for (String alg : List.of("none", "None", "NONE")) {
        String input = header(alg) + "." + b64(claims().encode());
        assertRefused(Reason.ALGORITHM, input + "." + hmac("HmacSHA256", SECRET, input));
      }
    }

    @Test
    @DisplayName("a header without alg is ALGORITHM")
    void noAlg() {
      String input = b64("{\"typ\":\"JWT\"}") + "." + b64(claims().encode());
      assertRefused(Reason.ALGORITHM, input + "." + hmac("HmacSHA256", SECRET, input));
    }

    @Test
    @DisplayName("HS512, correctly signed with the configured secret, is ALGORITHM")
    void hs512() {
      String input = header("HS512") + "." + b64(claims().encode());
      assertRefused(Reason.ALGORITHM, input + "." + hmac("HmacSHA512", SECRET, input));
    }

    @Test
    @DisplayName("RS256 and ES256 are ALGORITHM when only HS256 is configured")
    void asymmetricNotConfigured() {
      TokenVerifier hsOnly = verifier(List.of(SECRET), List.of(), List.of(), "", "");
      String rsToken = rs256(claims(), rsa);
      assertRefused(Reason.ALGORITHM, rsToken, () -> hsOnly.verifyParticipant(rsToken));
      String esToken = es256(claims());
      assertRefused(Reason.ALGORITHM, esToken, () -> hsOnly.verifyParticipant(esToken));
    }

    @Test
    @DisplayName("HS256 is ALGORITHM when only RS256 is configured")
    void hsNotConfigured() {
      TokenVerifier rsaOnly = verifier(List.of(), List.of(pem(rsa.getPublic())), List.of(), "", "");
      String token = hs256(claims());
      assertRefused(Reason.ALGORITHM, token, () -> rsaOnly.verifyParticipant(token));
    }

    @Test
    @DisplayName("HS256 keyed with the RSA public key PEM (algorithm confusion) is SIGNATURE")
    void algorithmConfusion() {
      assertRefused(Reason.SIGNATURE, hs256(claims(), pem(rsa.getPublic())));
    }
  }

  @Nested
  @DisplayName("signatures")
  class Signatures {

    @Test
    @DisplayName("HS256 signed with another secret is SIGNATURE")
    void otherSecret() {
      assertRefused(Reason.SIGNATURE, hs256(claims(), OTHER_SECRET));
    }

    @Test
    @DisplayName("a payload changed after signing is SIGNATURE")
    void tamperedPayload() {
      String token = hs256(claims());
      String[] parts = token.split("\\.");
      String forged = parts[0] + "." + b64(claims().put("sub", "mallory").encode()) + "." + parts[2];
      assertRefused(Reason.SIGNATURE, forged);
    }

    @Test
    @DisplayName("an empty signature on HS256 is SIGNATURE")
    void emptySignature() {
      assertRefused(Reason.SIGNATURE, header("HS256") + "." + b64(claims().encode()) + ".");
    }

    @Test
    @DisplayName("a signature that is not base64url is SIGNATURE")
    void garbageSignature() {
      assertRefused(Reason.SIGNATURE, header("HS256") + "." + b64(claims().encode()) + ".%%%not-base64%%%");
    }

    @Test
    @DisplayName("RS256 signed with a key that is not configured is SIGNATURE")
    void otherRsaKey() {
      assertRefused(Reason.SIGNATURE, rs256(claims(), otherRsa));
    }

    @Test
    @DisplayName("ES256 with a changed payload is SIGNATURE")
    void tamperedEs256() {
      String[] parts = es256(claims()).split("\\.");
      assertRefused(Reason.SIGNATURE, parts[0] + "." + b64(claims().put("room", "other").encode()) + "." + parts[2]);
    }
  }

  @Nested
  @DisplayName("times (skew " + SKEW + " s)")
  class Times {

    @Test
    @DisplayName("expired beyond the skew is EXPIRED")
    void expired() {
      assertRefused(Reason.EXPIRED, hs256(claims().put("exp", NOW - SKEW - 1)));
    }

    @Test
    @DisplayName("expired within the skew is accepted")
    void expiredWithinSkew() {
      assertEquals("alice", verifier.verifyParticipant(hs256(claims().put("exp", NOW - 10))).subject());
    }

    @Test
    @DisplayName("with no skew, exp equal to now is EXPIRED (now must be before exp)")
    void expEqualsNow() {
      TokenVerifier strict = verifier(List.of(SECRET), List.of(), List.of(), "", "", 0);
      String token = hs256(claims().put("exp", NOW));
      assertRefused(Reason.EXPIRED, token, () -> strict.verifyParticipant(token));
      assertEquals("alice", strict.verifyParticipant(hs256(claims().put("exp", NOW + 1))).subject());
    }

    @Test
    @DisplayName("nbf in the future beyond the skew is NOT_YET_VALID; within it, accepted")
    void notBefore() {
      assertRefused(Reason.NOT_YET_VALID, hs256(claims().put("nbf", NOW + SKEW + 1)));
      assertEquals("alice", verifier.verifyParticipant(hs256(claims().put("nbf", NOW + 10))).subject());
    }

    @Test
    @DisplayName("iat in the future beyond the skew is NOT_YET_VALID; within it, accepted")
    void issuedAt() {
      assertRefused(Reason.NOT_YET_VALID, hs256(claims().put("iat", NOW + SKEW + 1)));
      assertEquals("alice", verifier.verifyParticipant(hs256(claims().put("iat", NOW + 10))).subject());
    }

    @Test
    @DisplayName("the injected clock decides, not the wall clock: a token valid at the clock's time is accepted")
    void injectedClockDecides() {
      long past = 1_600_000_000L;
      TokenVerifier inThePast = new TokenVerifier(vertx, new SwitchboardConfig.Auth(List.of(SECRET), List.of(),
        List.of(), "", "", SKEW, false, false), Clock.fixed(Instant.ofEpochSecond(past), ZoneOffset.UTC));
      String old = hs256(claims().put("iat", past - 60).put("exp", past + 600));
      assertEquals("alice", inThePast.verifyParticipant(old).subject());
      long future = System.currentTimeMillis() / 1000 + 10 * 365 * 86400L;
      Clock later = Clock.fixed(Instant.ofEpochSecond(future), ZoneOffset.UTC);
      TokenVerifier inTheFuture = new TokenVerifier(vertx,
        new SwitchboardConfig.Auth(List.of(SECRET), List.of(), List.of(), "", "", SKEW, false, false), later);
      String token = hs256(claims().put("iat", future - 60).put("nbf", future - 60).put("exp", future + 600));
      assertEquals("alice", inTheFuture.verifyParticipant(token).subject());
    }

    @Test
    @DisplayName("a missing exp is CLAIMS")
    void missingExp() {
      JsonObject payload = claims();
      payload.remove("exp");
      assertRefused(Reason.CLAIMS, hs256(payload));
    }

    @ParameterizedTest(name = "{0} as a string")
    @DisplayName("a time claim that is not a number is CLAIMS")
    @ValueSource(strings = {"exp", "nbf", "iat"})
    void timeClaimAsString(String claim) {
      String token = hs256(claims().put(claim, String.valueOf(NOW + 600)));
      assertRefused(Reason.CLAIMS, token);
    }
  }

  @Nested
  @DisplayName("claims")
  class ClaimRules {

    @Test
    @DisplayName("a missing, empty or non-string sub is CLAIMS")
    void sub() {
      JsonObject payload = claims();
      payload.remove("sub");
      assertRefused(Reason.CLAIMS, hs256(payload));
      assertRefused(Reason.CLAIMS, hs256(claims().put("sub", "")));
      assertRefused(Reason.CLAIMS, hs256(claims().put("sub", 42)));
    }

    @Test
    @DisplayName("sub of 129 characters is CLAIMS; 128 is accepted")
    void subLength() {
      assertRefused(Reason.CLAIMS, hs256(claims().put("sub", "s".repeat(129))));
      assertEquals("s".repeat(128), verifier.verifyParticipant(hs256(claims().put("sub", "s".repeat(128)))).subject());
    }

    @Test
    @DisplayName("a missing room is CLAIMS")
    void missingRoom() {
      JsonObject payload = claims();
      payload.remove("room");
      assertRefused(Reason.CLAIMS, hs256(payload));
      assertRefused(Reason.CLAIMS, hs256(claims().put("room", 7)));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @DisplayName("a room with characters outside A-Z a-z 0-9 _ . - is CLAIMS")
    @ValueSource(strings = {"", "stand up", "room/1", "caf\u00e9", "a:b", "x\ny", "r\u0000", "<script>"})
    void roomCharacters(String room) {
      assertRefused(Reason.CLAIMS, hs256(claims().put("room", room)));
    }

    @Test
    @DisplayName("a room of 65 characters is CLAIMS; 64 of every allowed kind are accepted")
    void roomLength() {
      assertRefused(Reason.CLAIMS, hs256(claims().put("room", "r".repeat(65))));
      String room = "AZaz09_.-" + "x".repeat(55);
      assertEquals(64, room.length());
      assertEquals(room, verifier.verifyParticipant(hs256(claims().put("room", room))).room());
    }

    @Test
    @DisplayName("a name of 129 characters or not a string is CLAIMS; 128 is accepted")
    void name() {
      assertRefused(Reason.CLAIMS, hs256(claims().put("name", "n".repeat(129))));
      assertRefused(Reason.CLAIMS, hs256(claims().put("name", new JsonObject())));
      assertEquals("n".repeat(128), verifier.verifyParticipant(hs256(claims().put("name", "n".repeat(128)))).name());
    }

    @ParameterizedTest(name = "role {0}")
    @DisplayName("a role other than publisher or viewer is CLAIMS")
    @ValueSource(strings = {"admin", "Publisher", "VIEWER", ""})
    void role(String role) {
      assertRefused(Reason.CLAIMS, hs256(claims().put("role", role)));
    }

    @Test
    @DisplayName("meta that is not an object is CLAIMS")
    void metaNotObject() {
      assertRefused(Reason.CLAIMS, hs256(claims().put("meta", "text")));
      assertRefused(Reason.CLAIMS, hs256(claims().put("meta", new JsonArray().add(1))));
      assertRefused(Reason.CLAIMS, hs256(claims().put("meta", 5)));
    }

    @Test
    @DisplayName("meta of 1025 encoded bytes is CLAIMS; 1024 bytes are accepted")
    void metaSize() {
      JsonObject exact = new JsonObject().put("k", "x".repeat(1024 - "{\"k\":\"\"}".length()));
      assertEquals(1024, exact.encode().getBytes(StandardCharsets.UTF_8).length);
      assertEquals(exact, verifier.verifyParticipant(hs256(claims().put("meta", exact))).meta());

      JsonObject over = new JsonObject().put("k", "x".repeat(1025 - "{\"k\":\"\"}".length()));
      assertRefused(Reason.CLAIMS, hs256(claims().put("meta", over)));
    }

    @Test
    @DisplayName("meta size counts UTF-8 bytes, not characters")
    void metaSizeInBytes() {
      // 600 characters (well under 1024) but 1200 bytes of UTF-8
      assertRefused(Reason.CLAIMS, hs256(claims().put("meta", new JsonObject().put("k", "\u00e9".repeat(600)))));
    }
  }

  @Nested
  @DisplayName("issuer and audience")
  class IssuerAudience {

    private final TokenVerifier scoped =
      verifier(List.of(SECRET), List.of(), List.of(), "https://auth.example.org", "switchboard");

    private JsonObject scopedClaims() {
      return claims().put("iss", "https://auth.example.org").put("aud", "switchboard");
    }

    @Test
    @DisplayName("matching iss and aud (string) are accepted")
    void matching() {
      assertEquals("alice", scoped.verifyParticipant(hs256(scopedClaims())).subject());
    }

    @Test
    @DisplayName("aud as an array containing the audience is accepted")
    void audienceArray() {
      String token = hs256(scopedClaims().put("aud", new JsonArray().add("other").add("switchboard")));
      assertEquals("alice", scoped.verifyParticipant(token).subject());
    }

    @Test
    @DisplayName("a wrong or missing iss is ISSUER")
    void wrongIssuer() {
      String wrong = hs256(scopedClaims().put("iss", "https://evil.example.org"));
      assertRefused(Reason.ISSUER, wrong, () -> scoped.verifyParticipant(wrong));
      JsonObject payload = scopedClaims();
      payload.remove("iss");
      String missing = hs256(payload);
      assertRefused(Reason.ISSUER, missing, () -> scoped.verifyParticipant(missing));
    }

    @Test
    @DisplayName("a wrong aud (string or array) or a missing one is AUDIENCE")
    void wrongAudience() {
      for (Object aud : List.of("other", new JsonArray().add("other").add("switchboard-x"), new JsonArray())) {
        String token = hs256(scopedClaims().put("aud", aud));
        assertRefused(Reason.AUDIENCE, token, () -> scoped.verifyParticipant(token));
      }
      JsonObject payload = scopedClaims();
      payload.remove("aud");
      String missing = hs256(payload);
      assertRefused(Reason.AUDIENCE, missing, () -> scoped.verifyParticipant(missing));
    }

    @Test
    @DisplayName("without a configured issuer or audience, iss and aud are not checked")
    void notConfigured() {
      String token = hs256(claims().put("iss", "anyone").put("aud", "anything"));
      assertEquals("alice", verifier.verifyParticipant(token).subject());
    }
  }

  @Nested
  @DisplayName("admin tokens")
  class Admin {

    @Test
    @DisplayName("admin:true is accepted without a room")
    void admin() {
      JsonObject payload = claims().put("admin", true);
      payload.remove("room");
      Claims c = verifier.verifyAdmin(hs256(payload));
      assertTrue(c.admin());
      assertEquals("alice", c.subject());
      assertNull(c.room());
    }

    @Test
    @DisplayName("a participant token, admin:false or admin:\"true\" is FORBIDDEN")
    void notAdmin() {
      for (Object admin : new Object[] {null, false, "true", 1}) {
        JsonObject payload = claims();
        if (admin != null) {
          payload.put("admin", admin);
        }
        String token = hs256(payload);
        assertRefused(Reason.FORBIDDEN, token, () -> verifier.verifyAdmin(token));
      }
    }

    @Test
    @DisplayName("an admin token still needs a valid signature and expiry")
    void adminStillVerified() {
      String forged = hs256(claims().put("admin", true), OTHER_SECRET);
      assertRefused(Reason.SIGNATURE, forged, () -> verifier.verifyAdmin(forged));
      String expired = hs256(claims().put("admin", true).put("exp", NOW - 3600));
      assertRefused(Reason.EXPIRED, expired, () -> verifier.verifyAdmin(expired));
    }

    @Test
    @DisplayName("an admin token without a room cannot join a room as a participant")
    void adminIsNotParticipant() {
      JsonObject payload = claims().put("admin", true);
      payload.remove("room");
      assertRefused(Reason.CLAIMS, hs256(payload));
    }

    @Test
    @DisplayName("verifyAny accepts participant and admin tokens alike")
    void any() {
      assertEquals("standup", verifier.verifyAny(hs256(claims())).room());
      JsonObject payload = claims().put("admin", true);
      payload.remove("room");
      Claims c = verifier.verifyAny(hs256(payload));
      assertTrue(c.admin());
      assertNull(c.room());
    }
  }

  @Test
  @DisplayName("no refusal message contains the token, for any kind of refusal")
  void messagesNeverEchoTheToken() {
    String longAlg = "HS256" + "X".repeat(40);
    String input = b64("{\"alg\":\"" + longAlg + "\"}") + "." + b64(claims().encode());
    List<String> tokens = List.of(
      "garbage-token-text-that-is-long",
      input + "." + hmac("HmacSHA256", SECRET, input),
      hs256(claims(), OTHER_SECRET),
      hs256(claims().put("exp", NOW - 3600)),
      hs256(claims().put("room", "bad room name with spaces")),
      hs256(claims().put("sub", "x".repeat(200))),
      hs256(claims().put("role", "superuser-role-name")));
    for (String token : tokens) {
      try {
        verifier.verifyParticipant(token);
        fail("expected a refusal for " + token);
      } catch (AuthFailureException failure) {
        assertTokenNotEchoed(failure, token);
        assertFalse(failure.getMessage().contains(longAlg), "echoes a long client-chosen alg: " + failure.getMessage());
        assertFalse(failure.getMessage().contains("bad room name"), failure.getMessage());
      }
    }
  }
}
