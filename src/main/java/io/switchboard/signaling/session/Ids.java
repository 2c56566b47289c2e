package io.switchboard.signaling.session;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** Random URL-safe identifiers. */
public final class Ids {

  /** What {@link #sessionId()} makes: 22 URL-safe characters. */
  public static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{22}");

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private Ids() {
  }

  /** Session ids: 128 random bits, 22 URL-safe characters, unique across a cluster by chance alone. */
  public static String sessionId() {
    return random(16);
  }

  public static String random(int bytes) {
    byte[] buffer = new byte[bytes];
    RANDOM.nextBytes(buffer);
    return B64URL.encodeToString(buffer);
  }
}
