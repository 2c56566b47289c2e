package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static io.switchboard.relay.proto.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("ERROR-CODE")
class ErrorCodeAttributeTest {

  @Test
  @DisplayName("every code this server sends round-trips with its reason")
  void roundTrip() {
    for (StunError error : StunError.values()) {
      StunMessage m = Bytes.request(w -> ErrorCodeAttribute.write(w, error));
      assertEquals(new ErrorCodeAttribute.Value(error.code(), error.reason()), ErrorCodeAttribute.read(m));
    }
  }

  @Test
  @DisplayName("438 is class 4, number 38 on the wire")
  void wire() {
    byte[] bytes = Bytes.build(Method.ALLOCATE, MessageClass.ERROR, w -> ErrorCodeAttribute.write(w, 438, "x"));
    assertArrayEquals(hex("00090005 00000426 78000000"), java.util.Arrays.copyOfRange(bytes, 20, 32));
  }

  @Test
  @DisplayName("class outside 3-6, number above 99, or a value shorter than 4 bytes is malformed")
  void malformed() {
    for (String value : new String[]{"00000163", "00000764", "00000464", "000004"}) {
      StunMessage m = Bytes.request(w -> w.attribute(AttributeType.ERROR_CODE, hex(value)));
      assertThrows(MalformedMessageException.class, () -> ErrorCodeAttribute.read(m), value);
    }
  }
}
