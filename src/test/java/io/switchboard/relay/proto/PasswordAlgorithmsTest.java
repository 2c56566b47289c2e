package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.switchboard.relay.proto.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("PASSWORD-ALGORITHMS")
class PasswordAlgorithmsTest {

  @Test
  @DisplayName("the server's list round-trips and compares byte for byte; parameters are skipped with padding")
  void values() {
    int[] ours = {PasswordAlgorithm.SHA256, PasswordAlgorithm.MD5};
    StunMessage m = Bytes.request(w -> PasswordAlgorithms.write(w, ours));
    assertEquals(List.of(2, 1), PasswordAlgorithms.read(m));
    assertTrue(PasswordAlgorithms.valueEquals(m, ours));
    assertFalse(PasswordAlgorithms.valueEquals(m, new int[]{PasswordAlgorithm.MD5, PasswordAlgorithm.SHA256}));
    StunMessage withParams = Bytes.request(w -> w.attribute(AttributeType.PASSWORD_ALGORITHMS,
      hex("00030001 ff000000 00010000")));
    assertEquals(List.of(3, 1), PasswordAlgorithms.read(withParams));
    StunMessage bad = Bytes.request(w -> w.attribute(AttributeType.PASSWORD_ALGORITHMS, hex("00030008 ff000000")));
    assertThrows(MalformedMessageException.class, () -> PasswordAlgorithms.read(bad));
  }
}
