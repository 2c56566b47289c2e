package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static io.switchboard.relay.proto.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("PASSWORD-ALGORITHM")
class PasswordAlgorithmTest {

  @Test
  @DisplayName("MD5 and SHA-256 round-trip; absent -1; a parameter length that disagrees is malformed")
  void values() {
    assertEquals(PasswordAlgorithm.SHA256,
      PasswordAlgorithm.read(Bytes.request(w -> PasswordAlgorithm.write(w, PasswordAlgorithm.SHA256))));
    assertEquals(PasswordAlgorithm.MD5,
      PasswordAlgorithm.read(Bytes.request(w -> PasswordAlgorithm.write(w, PasswordAlgorithm.MD5))));
    assertEquals(-1, PasswordAlgorithm.read(Bytes.request(w -> { })));
    StunMessage bad = Bytes.request(w -> w.attribute(AttributeType.PASSWORD_ALGORITHM, hex("00020004")));
    assertThrows(MalformedMessageException.class, () -> PasswordAlgorithm.read(bad));
  }
}
