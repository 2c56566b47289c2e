package io.switchboard.auth;

import io.switchboard.auth.AuthFailureException.Reason;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies Switchboard JWTs. Signatures are checked by vertx-auth-jwt; the header and claims are checked
 * here first so that every refusal carries a precise reason (docs/protocol.md, "Authentication"). Accepted
 * algorithms are exactly those with a configured key: HS256 (secrets), RS256 and ES256 (PEM public keys);
 * {@code none} never.
 */
public final class TokenVerifier {

  public static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  public static final int MAX_SUBJECT_LENGTH = 128;
  public static final int MAX_NAME_LENGTH = 128;
  public static final int MAX_META_BYTES = 1024;
  /** Tokens longer than this are refused before any decoding. */
  public static final int MAX_TOKEN_LENGTH = 8192;

  private static final String HS256 = "HS256";
  private static final int HS256_LENGTH = 32;
  /** One HMAC engine per thread (event loops, the admin API's): {@code Mac} is not thread-safe, and costly to find. */
  private static final ThreadLocal<Mac> HMAC_SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacSHA256", e);
    }
  });

  /** RS256 and ES256 keys (vertx-auth-jwt checks those signatures). */
  private final JWTAuth signatures;
  /**
   * HS256 secrets, checked with the JDK's HMAC here: vertx-auth-jwt would decode the token a second time and build a
   * user object for every connect, to compare one 32-byte HMAC.
   */
  private final List<SecretKeySpec> hs256Keys = new ArrayList<>();
  private final Set<String> algorithms = new HashSet<>();
  private final String issuer;
  private final String audience;
  private final long skewSeconds;
  private final Clock clock;

  public TokenVerifier(Vertx vertx, SwitchboardConfig.Auth config, Clock clock) {
    JWTAuthOptions options = new JWTAuthOptions()
      // exp, nbf, iat, iss and aud are checked below, with the configured skew and precise messages
      .setJWTOptions(new JWTOptions().setIgnoreExpiration(true));
    for (String secret : config.hs256Secrets()) {
      hs256Keys.add(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      algorithms.add(HS256);
    }
    for (String pem : config.rs256PublicKeys()) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem));
      algorithms.add("RS256");
    }
    for (String pem : config.es256PublicKeys()) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(pem));
      algorithms.add("ES256");
    }
    this.signatures = JWTAuth.create(vertx, options);
    this.issuer = config.issuer();
    this.audience = config.audience();
    this.skewSeconds = config.clockSkewSeconds();
    this.clock = clock;
  }

  /** A participant token: admits one identity to one room. */
  public Claims verifyParticipant(String token) {
    JsonObject payload = verify(token);
    String subject = subject(payload);
    Object room = payload.getValue("room");
    if (!(room instanceof String r)) {
      throw new AuthFailureException(Reason.CLAIMS, "token has no room claim");
    }
    if (!ROOM_NAME.matcher(r).matches()) {
      throw new AuthFailureException(Reason.CLAIMS, "room claim must be 1-64 characters of A-Z a-z 0-9 _ . -");
    }
    return new Claims(subject, r, name(payload, subject), role(payload), meta(payload),
      Boolean.TRUE.equals(payload.getValue("admin")), payload.getLong("exp"));
  }

  /** An admin token: {@code "admin": true}; needs no room. */
  public Claims verifyAdmin(String token) {
    JsonObject payload = verify(token);
    String subject = subject(payload);
    if (!Boolean.TRUE.equals(payload.getValue("admin"))) {
      throw new AuthFailureException(Reason.FORBIDDEN, "token is not an admin token");
    }
    Object room = payload.getValue("room");
    return new Claims(subject, room instanceof String r ? r : null, name(payload, subject), "publisher",
      new JsonObject(), true, payload.getLong("exp"));
  }

  /** Any valid token (participant or admin): used where only the holder's identity matters. */
  public Claims verifyAny(String token) {
    JsonObject payload = verify(token);
    String subject = subject(payload);
    Object room = payload.getValue("room");
    return new Claims(subject, room instanceof String r ? r : null, name(payload, subject), role(payload),
      new JsonObject(), Boolean.TRUE.equals(payload.getValue("admin")), payload.getLong("exp"));
  }

  private JsonObject verify(String token) {
    String[] parts = segments(token);
    JsonObject header = decodeSegment(parts[0], "header");
    JsonObject payload = decodeSegment(parts[1], "payload");
    checkAlgorithm(header);
    if (parts[2].isEmpty()) {
      throw new AuthFailureException(Reason.SIGNATURE, "token has no signature");
    }
    // vertx-auth-jwt reads exp/nbf/iat as numbers while verifying: refuse other types before it sees them
    checkTimeClaimTypes(payload);
    if (HS256.equals(header.getValue("alg"))) {
      checkHs256(token, parts[2]);
    } else {
      checkSignature(token);
    }
    checkTimes(payload);
    checkIssuerAndAudience(payload);
    return payload;
  }

  /** The token's three dot-separated segments; header and payload not empty (the signature is checked later). */
  private static String[] segments(String token) {
    if (token == null || token.isEmpty()) {
      throw new AuthFailureException(Reason.MISSING,
        "no token: send Authorization: Bearer <jwt> or access_token=<jwt>");
    }
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw new AuthFailureException(Reason.MALFORMED, "token is longer than " + MAX_TOKEN_LENGTH + " characters");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new AuthFailureException(Reason.MALFORMED, "token is not a JWT (expected header.payload.signature)");
    }
    return parts;
  }

  /** The header's alg: present, not none, and one this server accepts. */
  private void checkAlgorithm(JsonObject header) {
    Object alg = header.getValue("alg");
    if (!(alg instanceof String algorithm)) {
      throw new AuthFailureException(Reason.ALGORITHM, "token header has no alg");
    }
    if (algorithm.equalsIgnoreCase("none")) {
      throw new AuthFailureException(Reason.ALGORITHM, "unsigned tokens (alg none) are refused");
    }
    if (!algorithms.contains(algorithm)) {
      throw new AuthFailureException(Reason.ALGORITHM,
        "algorithm " + printable(algorithm) + " is not accepted by this server");
    }
  }

  private void checkSignature(String token) {
    // JWTAuth verifies synchronously; the returned future is already complete.
    io.vertx.core.Future<?> result;
    try {
      result = signatures.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      throw new AuthFailureException(Reason.SIGNATURE, "token signature does not verify");
    }
    if (result.failed()) {
      throw new AuthFailureException(Reason.SIGNATURE, "token signature does not verify");
    }
  }

  /** The HMAC of {@code header.payload} under one of the secrets (rotation: any of them), compared in constant time. */
  private void checkHs256(String token, String signature) {
    byte[] presented;
    try {
      presented = Base64.getUrlDecoder().decode(signature);
    } catch (IllegalArgumentException e) {
      throw new AuthFailureException(Reason.SIGNATURE, "token signature does not verify");
    }
    if (presented.length == HS256_LENGTH) {
      byte[] signed = token.substring(0, token.lastIndexOf('.')).getBytes(StandardCharsets.US_ASCII);
      Mac mac = HMAC_SHA256.get();
      for (SecretKeySpec key : hs256Keys) {
        try {
          mac.init(key);
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("an HS256 secret the JDK refuses", e);
        }
        if (MessageDigest.isEqual(mac.doFinal(signed), presented)) {
          return;
        }
      }
    }
    throw new AuthFailureException(Reason.SIGNATURE, "token signature does not verify");
  }

  private static void checkTimeClaimTypes(JsonObject payload) {
    Object exp = payload.getValue("exp");
    if (exp == null) {
      throw new AuthFailureException(Reason.CLAIMS, "token has no exp claim");
    }
    for (String claim : new String[] {"exp", "nbf", "iat"}) {
      Object value = payload.getValue(claim);
      if (value != null && !(value instanceof Number)) {
        throw new AuthFailureException(Reason.CLAIMS, claim + " claim must be a number");
      }
    }
  }

  private void checkTimes(JsonObject payload) {
    long now = clock.millis() / 1000;
    if (now - skewSeconds >= ((Number) payload.getValue("exp")).longValue()) {
      throw new AuthFailureException(Reason.EXPIRED, "token expired");
    }
    Object nbf = payload.getValue("nbf");
    if (nbf instanceof Number notBefore && now + skewSeconds < notBefore.longValue()) {
      throw new AuthFailureException(Reason.NOT_YET_VALID, "token is not valid yet (nbf)");
    }
    Object iat = payload.getValue("iat");
    if (iat instanceof Number issuedAt && now + skewSeconds < issuedAt.longValue()) {
      throw new AuthFailureException(Reason.NOT_YET_VALID, "token is issued in the future (iat)");
    }
  }

  private void checkIssuerAndAudience(JsonObject payload) {
    if (!issuer.isEmpty() && !issuer.equals(payload.getValue("iss"))) {
      throw new AuthFailureException(Reason.ISSUER, "token issuer is not accepted");
    }
    if (!audience.isEmpty()) {
      Object aud = payload.getValue("aud");
      boolean matches = audience.equals(aud) || (aud instanceof JsonArray list && list.contains(audience));
      if (!matches) {
        throw new AuthFailureException(Reason.AUDIENCE, "token audience is not accepted");
      }
    }
  }

  private static String subject(JsonObject payload) {
    Object sub = payload.getValue("sub");
    if (!(sub instanceof String s) || s.isEmpty()) {
      throw new AuthFailureException(Reason.CLAIMS, "token has no sub claim");
    }
    if (s.length() > MAX_SUBJECT_LENGTH) {
      throw new AuthFailureException(Reason.CLAIMS, "sub claim is longer than " + MAX_SUBJECT_LENGTH + " characters");
    }
    return s;
  }

  private static String name(JsonObject payload, String subject) {
    Object name = payload.getValue("name");
    if (name == null) {
      return subject;
    }
    if (!(name instanceof String n) || n.length() > MAX_NAME_LENGTH) {
      throw new AuthFailureException(Reason.CLAIMS,
        "name claim must be a string of at most " + MAX_NAME_LENGTH + " characters");
    }
    return n;
  }

  private static String role(JsonObject payload) {
    Object role = payload.getValue("role");
    if (role == null) {
      return "publisher";
    }
    if (!"publisher".equals(role) && !"viewer".equals(role)) {
      throw new AuthFailureException(Reason.CLAIMS, "role claim must be publisher or viewer");
    }
    return (String) role;
  }

  private static JsonObject meta(JsonObject payload) {
    Object meta = payload.getValue("meta");
    if (meta == null) {
      return new JsonObject();
    }
    if (!(meta instanceof JsonObject m)) {
      throw new AuthFailureException(Reason.CLAIMS, "meta claim must be a JSON object");
    }
    if (m.encode().getBytes(StandardCharsets.UTF_8).length > MAX_META_BYTES) {
      throw new AuthFailureException(Reason.CLAIMS, "meta claim is larger than " + MAX_META_BYTES + " bytes");
    }
    return m;
  }

  private static JsonObject decodeSegment(String segment, String what) {
    try {
      byte[] json = Base64.getUrlDecoder().decode(segment);
      return new JsonObject(new String(json, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      throw new AuthFailureException(Reason.MALFORMED, "token " + what + " is not base64url-encoded JSON");
    }
  }

  /** Echoes a client-chosen value only when it is short and plain. */
  private static String printable(String value) {
    return value.length() <= 16 && value.matches("[A-Za-z0-9]+") ? value : "(unprintable)";
  }
}
