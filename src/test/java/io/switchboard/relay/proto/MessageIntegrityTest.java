package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("MESSAGE-INTEGRITY (HMAC-SHA1)")
class MessageIntegrityTest {

  private static final byte[] KEY = LongTermKey.md5("alice", "switchboard", "pass");

  @Test
  @DisplayName("verifies with the right key, with and without a FINGERPRINT after it; not with another key")
  void verify() {
    StunMessage plain = Bytes.request(w -> {
      Username.write(w, "alice");
      w.integrity(KEY);
    });
    StunMessage fingerprinted = Bytes.request(w -> {
      Username.write(w, "alice");
      w.integrity(KEY).fingerprint();
    });
    assertTrue(MessageIntegrity.verify(plain, KEY));
    assertTrue(MessageIntegrity.verify(fingerprinted, KEY));
    assertTrue(Fingerprint.verify(fingerprinted));
    assertFalse(MessageIntegrity.verify(plain, LongTermKey.md5("alice", "switchboard", "other")));
    assertFalse(MessageIntegrity.verify(Bytes.request(w -> Username.write(w, "alice")), KEY), "absent");
  }

  @Test
  @DisplayName("a wrong-length MESSAGE-INTEGRITY is malformed")
  void length() {
    org.junit.jupiter.api.Assertions.assertThrows(MalformedMessageException.class,
      () -> Bytes.request(w -> w.attribute(AttributeType.MESSAGE_INTEGRITY, new byte[16])));
  }
}
