package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static io.switchboard.relay.proto.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("ADDRESS-ERROR-CODE")
class AddressErrorCodeTest {

  @Test
  @DisplayName("440 for IPv6 on the wire: family 0x02, class 4, number 40, the reason; round-trips")
  void wire() {
    byte[] bytes = Bytes.build(Method.ALLOCATE, MessageClass.SUCCESS,
      w -> AddressErrorCode.write(w, XorAddress.FAMILY_IPV6, StunError.ADDRESS_FAMILY_NOT_SUPPORTED));
    assertArrayEquals(hex("8001" + "0020" + "02000428"), java.util.Arrays.copyOfRange(bytes, 20, 28));
    assertEquals(new AddressErrorCode.Value(2, 440, "Address Family not Supported"),
      AddressErrorCode.read(Bytes.decode(bytes)));
    assertNull(AddressErrorCode.read(Bytes.request(w -> { })));
  }

  @Test
  @DisplayName("under the drafts' 0x8033 too; a class outside 3-6 or a short value is malformed")
  void draftAndMalformed() {
    StunMessage draft = Bytes.request(w -> AddressErrorCode.write(w, AttributeType.ADDRESS_ERROR_CODE_DRAFT,
      XorAddress.FAMILY_IPV6, StunError.INSUFFICIENT_CAPACITY));
    assertEquals(508, AddressErrorCode.read(draft).code());
    for (String value : new String[]{"02000163", "020004"}) {
      StunMessage m = Bytes.request(w -> w.attribute(AttributeType.ADDRESS_ERROR_CODE, hex(value)));
      assertThrows(MalformedMessageException.class, () -> AddressErrorCode.read(m), value);
    }
  }
}
