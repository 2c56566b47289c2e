package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("REQUESTED-ADDRESS-FAMILY")
class RequestedAddressFamilyTest {

  @Test
  @DisplayName("IPv4 and IPv6 round-trip; absent -1; wrong length malformed")
  void values() {
    assertEquals(1, RequestedAddressFamily.read(Bytes.request(w -> RequestedAddressFamily.write(w, 1))));
    assertEquals(2, RequestedAddressFamily.read(Bytes.request(w -> RequestedAddressFamily.write(w, 2))));
    assertEquals(-1, RequestedAddressFamily.read(Bytes.request(w -> { })));
    StunMessage bad = Bytes.request(w -> w.attribute(AttributeType.REQUESTED_ADDRESS_FAMILY, new byte[1]));
    assertThrows(MalformedMessageException.class, () -> RequestedAddressFamily.read(bad));
  }
}
