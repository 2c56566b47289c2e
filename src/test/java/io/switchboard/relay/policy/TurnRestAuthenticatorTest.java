package io.switchboard.relay.policy;

import io.switchboard.config.RelayConfig;
import io.switchboard.ice.IceServers;
import io.switchboard.relay.proto.LongTermKey;
import io.switchboard.relay.proto.PasswordAlgorithm;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@DisplayName("TURN REST credentials and static users")
class TurnRestAuthenticatorTest {

  private static final String NEW = "new-turn-key-0123456789abcdefghijklmnopqrstuvwxyz";
  private static final String OLD = "old-turn-key-0123456789abcdefghijklmnopqrstuvwxyz";
  private final TurnRestAuthenticator auth = new TurnRestAuthenticator(List.of(NEW, OLD),
    List.of(new RelayConfig.StaticUser("alice", "alice-password-0123456789abcdefghij")));

  @Test
  @DisplayName("a REST username gets one key per secret (MD5 and SHA-256) and its expiry")
  void rest() {
    String username = "1900000000:bob";
    Authenticator.Credential credential = auth.credential(username, "realm", PasswordAlgorithm.MD5);
    assertEquals(1_900_000_000L, credential.expiresAtEpochSeconds());
    assertEquals(2, credential.keys().size());
    assertArrayEquals(LongTermKey.md5(username, "realm", IceServers.restCredential(NEW, username)),
      credential.keys().get(0));
    assertArrayEquals(LongTermKey.md5(username, "realm", IceServers.restCredential(OLD, username)),
      credential.keys().get(1));
    assertArrayEquals(LongTermKey.sha256(username, "realm", IceServers.restCredential(NEW, username)),
      auth.credential(username, "realm", PasswordAlgorithm.SHA256).keys().get(0));
  }

  @Test
  @DisplayName("a static user never expires and is looked up before REST")
  void staticUser() {
    Authenticator.Credential credential = auth.credential("alice", "realm", PasswordAlgorithm.MD5);
    assertEquals(Long.MAX_VALUE, credential.expiresAtEpochSeconds());
    assertArrayEquals(LongTermKey.md5("alice", "realm", "alice-password-0123456789abcdefghij"),
      credential.keys().get(0));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "bob", "1900000000", "1900000000:", ":bob", "19x0:bob", "-5:bob",
    "9999999999999:bob", "1e9:bob"})
  @DisplayName("anything else is an unknown user, never an exception")
  void unknown(String username) {
    assertNull(auth.credential(username, "realm", PasswordAlgorithm.MD5));
  }

  @Test
  @DisplayName("without secrets, REST usernames are unknown")
  void noSecrets() {
    assertNull(new TurnRestAuthenticator(List.of(), List.of()).credential("1900000000:bob", "r", 1));
  }
}
