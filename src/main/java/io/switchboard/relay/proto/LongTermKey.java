package io.switchboard.relay.proto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The long-term credential key (RFC 8489 section 9.2.2): {@code MD5(username ":" realm ":" password)}, or
 * SHA-256 of the same string when the client chose that PASSWORD-ALGORITHM. The password goes through
 * {@link SaslPrep} first.
 */
public final class LongTermKey {

  private LongTermKey() {
  }

  public static byte[] md5(String username, String realm, String password) {
    return digest("MD5", username, realm, password);
  }

  public static byte[] sha256(String username, String realm, String password) {
    return digest("SHA-256", username, realm, password);
  }

  public static byte[] of(int passwordAlgorithm, String username, String realm, String password) {
    return passwordAlgorithm == PasswordAlgorithm.SHA256 ? sha256(username, realm, password)
      : md5(username, realm, password);
  }

  private static byte[] digest(String algorithm, String username, String realm, String password) {
    try {
      return MessageDigest.getInstance(algorithm).digest(
        (username + ":" + realm + ":" + SaslPrep.prepare(password)).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is not available", e);
    }
  }
}
