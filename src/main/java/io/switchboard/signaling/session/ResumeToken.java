package io.switchboard.signaling.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resume tokens: {@code <session id>.<secret>}, opaque to clients. The secret (144 random bits) never leaves the
 * node that made it except inside the token; presence stores only its SHA-256, so neither the store nor a delta
 * holds anything that resumes a session. Each welcome carries a new token: a token works once.
 */
public final class ResumeToken {

  private static final Pattern FORMAT = Pattern.compile("([A-Za-z0-9_-]{22})\\.([A-Za-z0-9_-]{24})");
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  /** A token a client presented: the session it names and the hash of its secret. */
  public record Presented(String sessionId, String hash) {
  }

  private final String secret;
  private final String hash;

  private ResumeToken(String secret) {
    this.secret = secret;
    this.hash = hash(secret);
  }

  /** A new secret, for the next welcome. */
  public static ResumeToken create() {
    return new ResumeToken(Ids.random(18));
  }

  /** What the store keeps for it. */
  public String hash() {
    return hash;
  }

  /** The token as the client gets it, for the session it resumes. */
  public String forSession(String sessionId) {
    return sessionId + "." + secret;
  }

  /** The token a client presented, or null when it is not one this server could have made. */
  public static Presented parse(String token) {
    Matcher matcher = token == null ? null : FORMAT.matcher(token);
    if (matcher == null || !matcher.matches()) {
      return null;
    }
    return new Presented(matcher.group(1), hash(matcher.group(2)));
  }

  private static String hash(String secret) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return B64URL.encodeToString(sha256.digest(secret.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
