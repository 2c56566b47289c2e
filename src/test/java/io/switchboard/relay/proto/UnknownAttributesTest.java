package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("UNKNOWN-ATTRIBUTES")
class UnknownAttributesTest {

  @Test
  @DisplayName("an odd count is padded and round-trips; an odd byte length is malformed")
  void roundTrip() {
    int[] types = {0x07AD, 0x7FFF, 0x0031};
    assertArrayEquals(types, UnknownAttributes.read(Bytes.request(w -> UnknownAttributes.write(w, types))));
    StunMessage odd = Bytes.request(w -> w.attribute(AttributeType.UNKNOWN_ATTRIBUTES, new byte[3]));
    assertThrows(MalformedMessageException.class, () -> UnknownAttributes.read(odd));
  }
}
