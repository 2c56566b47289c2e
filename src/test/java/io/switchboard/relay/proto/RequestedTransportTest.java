package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static io.switchboard.relay.proto.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("REQUESTED-TRANSPORT")
class RequestedTransportTest {

  @Test
  @DisplayName("UDP is 17 in the first byte; TCP 6 reads as 6; absent -1; wrong length malformed")
  void values() {
    assertEquals(17, RequestedTransport.read(Bytes.request(w -> RequestedTransport.write(w, RequestedTransport.UDP))));
    assertEquals(6, RequestedTransport.read(Bytes.request(w -> w.attribute(AttributeType.REQUESTED_TRANSPORT,
      hex("06000000")))));
    assertEquals(-1, RequestedTransport.read(Bytes.request(w -> { })));
    StunMessage bad = Bytes.request(w -> w.attribute(AttributeType.REQUESTED_TRANSPORT, hex("11")));
    assertThrows(MalformedMessageException.class, () -> RequestedTransport.read(bad));
  }
}
