package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("EVEN-PORT")
class EvenPortTest {

  @Test
  @DisplayName("R bit set or not; absent; wrong length malformed")
  void values() {
    assertEquals(EvenPort.Request.EVEN_AND_RESERVE_NEXT, EvenPort.read(Bytes.request(w -> EvenPort.write(w, true))));
    assertEquals(EvenPort.Request.EVEN, EvenPort.read(Bytes.request(w -> EvenPort.write(w, false))));
    assertEquals(EvenPort.Request.NONE, EvenPort.read(Bytes.request(w -> { })));
    StunMessage bad = Bytes.request(w -> w.attribute(AttributeType.EVEN_PORT, new byte[4]));
    assertThrows(MalformedMessageException.class, () -> EvenPort.read(bad));
  }
}
