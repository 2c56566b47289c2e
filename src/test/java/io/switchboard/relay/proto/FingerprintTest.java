package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("FINGERPRINT")
class FingerprintTest {

  @Test
  @DisplayName("verifies; any changed byte before it fails; absent is not verified; wrong length malformed")
  void verify() {
    byte[] bytes = Bytes.build(Method.BINDING, MessageClass.REQUEST, w -> {
      Software.write(w, "abc");
      w.fingerprint();
    });
    assertTrue(Fingerprint.verify(Bytes.decode(bytes)));
    for (int i = 24; i < bytes.length - 8; i++) {
      byte[] bad = bytes.clone();
      bad[i] ^= 0x20;
      assertFalse(Fingerprint.verify(Bytes.decode(bad)), "byte " + i);
    }
    assertFalse(Fingerprint.verify(Bytes.request(w -> { })));
    assertThrows(MalformedMessageException.class,
      () -> Bytes.request(w -> w.attribute(AttributeType.FINGERPRINT, new byte[8])));
  }
}
