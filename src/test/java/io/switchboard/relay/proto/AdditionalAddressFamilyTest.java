package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static io.switchboard.relay.proto.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("ADDITIONAL-ADDRESS-FAMILY")
class AdditionalAddressFamilyTest {

  @Test
  @DisplayName("0x8000 with the family in the first byte; absent -1; wrong length malformed")
  void values() {
    byte[] bytes = Bytes.build(Method.ALLOCATE, MessageClass.REQUEST,
      w -> AdditionalAddressFamily.write(w, XorAddress.FAMILY_IPV6));
    assertArrayEquals(hex("80000004 02000000"), java.util.Arrays.copyOfRange(bytes, 20, 28));
    assertEquals(2, AdditionalAddressFamily.read(Bytes.decode(bytes)));
    assertEquals(-1, AdditionalAddressFamily.read(Bytes.request(w -> { })));
    StunMessage bad = Bytes.request(w -> w.attribute(AttributeType.ADDITIONAL_ADDRESS_FAMILY, new byte[2]));
    assertThrows(MalformedMessageException.class, () -> AdditionalAddressFamily.read(bad));
  }

  @Test
  @DisplayName("the drafts' 0x8032 (coturn 4.6) is read too, and asks for the answer's ADDRESS-ERROR-CODE as 0x8033")
  void draftCodePoint() {
    StunMessage draft = Bytes.request(w -> AdditionalAddressFamily.write(w,
      AttributeType.ADDITIONAL_ADDRESS_FAMILY_DRAFT, XorAddress.FAMILY_IPV6));
    assertEquals(2, AdditionalAddressFamily.read(draft));
    assertEquals(AttributeType.ADDRESS_ERROR_CODE_DRAFT, AdditionalAddressFamily.addressErrorType(draft));
    StunMessage rfc = Bytes.request(w -> AdditionalAddressFamily.write(w, XorAddress.FAMILY_IPV6));
    assertEquals(AttributeType.ADDRESS_ERROR_CODE, AdditionalAddressFamily.addressErrorType(rfc));
  }
}
