package io.switchboard.relay.policy;

import java.util.List;

/** Where long-term credentials come from: the keys a request from {@code username} may be signed with. */
public interface Authenticator {

  /**
   * The credential for {@code username} in {@code realm}, with keys for {@code passwordAlgorithm}
   * ({@link io.switchboard.relay.proto.PasswordAlgorithm}), or null when the user is unknown.
   */
  Credential credential(String username, String realm, int passwordAlgorithm);

  /**
   * @param keys candidate long-term keys (one per accepted secret, for rotation); a request verifies with any
   * @param expiresAtEpochSeconds when the credential stops admitting new allocations; {@link Long#MAX_VALUE} never
   * @param owner who the credential belongs to, for quotas: the identity of a REST username (every credential
   *              minted for one participant shares it), or a static user's name
   */
  record Credential(List<byte[]> keys, long expiresAtEpochSeconds, String owner) {

    public boolean expired(long nowEpochSeconds) {
      return nowEpochSeconds >= expiresAtEpochSeconds;
    }
  }
}
