package io.switchboard.relay.policy;

import io.switchboard.config.RelayConfig;
import io.switchboard.ice.IceServers;
import io.switchboard.relay.proto.LongTermKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TURN REST ephemeral credentials (the scheme of coturn's {@code use-auth-secret}) plus static users.
 *
 * <p>A REST username is {@code <unix expiry>:<anything>}; its password is
 * {@code base64(HMAC-SHA1(secret, username))} for any of the configured secrets (all are accepted, so a secret can
 * be rotated). Static users ({@code relay.staticUsers}) are looked up first and never expire. Nothing is cached:
 * keys are derived per request, so memory does not grow with the number of users.
 *
 * <p>A credential's owner is the part after the colon, the participant's identity, as in coturn: each
 * {@code welcome} and {@code /api/ice-servers} call mints a new username, and quotas must count the person, not
 * the names they were handed.
 */
public final class TurnRestAuthenticator implements Authenticator {

  /** Digits of a REST expiry; more is not a timestamp. */
  private static final int MAX_EXPIRY_DIGITS = 12;

  private final List<String> secrets;
  private final Map<String, String> staticPasswords = new HashMap<>();

  public TurnRestAuthenticator(List<String> secrets, List<RelayConfig.StaticUser> staticUsers) {
    this.secrets = List.copyOf(secrets);
    staticUsers.forEach(user -> staticPasswords.put(user.name(), user.password()));
  }

  @Override
  public Credential credential(String username, String realm, int passwordAlgorithm) {
    String password = staticPasswords.get(username);
    if (password != null) {
      return new Credential(List.of(LongTermKey.of(passwordAlgorithm, username, realm, password)), Long.MAX_VALUE,
        username);
    }
    long expiry = restExpiry(username);
    if (expiry < 0 || secrets.isEmpty()) {
      return null;
    }
    List<byte[]> keys = new ArrayList<>(secrets.size());
    for (String secret : secrets) {
      keys.add(LongTermKey.of(passwordAlgorithm, username, realm, IceServers.restCredential(secret, username)));
    }
    return new Credential(keys, expiry, username.substring(username.indexOf(':') + 1));
  }

  /** The expiry of a REST username ({@code digits:rest}, rest non-empty), or -1 when it is not one. */
  public static long restExpiry(String username) {
    int colon = username.indexOf(':');
    if (colon <= 0 || colon > MAX_EXPIRY_DIGITS || colon == username.length() - 1) {
      return -1;
    }
    long expiry = 0;
    for (int i = 0; i < colon; i++) {
      char c = username.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      expiry = expiry * 10 + (c - '0');
    }
    return expiry;
  }
}
