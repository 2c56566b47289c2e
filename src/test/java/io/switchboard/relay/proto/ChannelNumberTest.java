package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("CHANNEL-NUMBER")
class ChannelNumberTest {

  @Test
  @DisplayName("round trip; 0x4000-0x7FFF valid (RFC 5766 range, a superset of RFC 8656's), neighbours not; "
    + "wrong length malformed")
  void values() {
    assertEquals(0x4abc, ChannelNumber.read(Bytes.request(w -> ChannelNumber.write(w, 0x4abc))));
    assertEquals(-1, ChannelNumber.read(Bytes.request(w -> { })));
    assertTrue(ChannelNumber.valid(0x4000) && ChannelNumber.valid(0x4FFF) && ChannelNumber.valid(0x7FFF));
    assertFalse(ChannelNumber.valid(0x3FFF) || ChannelNumber.valid(0x8000) || ChannelNumber.valid(0xFFFF));
    StunMessage bad = Bytes.request(w -> w.attribute(AttributeType.CHANNEL_NUMBER, new byte[2]));
    assertThrows(MalformedMessageException.class, () -> ChannelNumber.read(bad));
  }
}
