package io.switchboard.relay.proto;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static io.switchboard.relay.proto.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("ChannelData")
class ChannelDataTest {

  @Test
  @DisplayName("exact and padded lengths accepted; bad channel, overlong or over-padded refused")
  void framing() {
    assertEquals(0x4000, ChannelData.channel(Unpooled.wrappedBuffer(hex("40000003 616263"))));
    assertEquals(0x4000, ChannelData.channel(Unpooled.wrappedBuffer(hex("40000003 61626300"))));
    assertEquals(0x4FFF, ChannelData.channel(Unpooled.wrappedBuffer(hex("4fff0000"))));
    assertEquals(0x7FFF, ChannelData.channel(Unpooled.wrappedBuffer(hex("7fff0000"))));
    assertEquals(-1, ChannelData.channel(Unpooled.wrappedBuffer(hex("80000000"))), "channel above 0x7FFF");
    assertEquals(-1, ChannelData.channel(Unpooled.wrappedBuffer(hex("3fff0000"))), "channel below 0x4000");
    assertEquals(-1, ChannelData.channel(Unpooled.wrappedBuffer(hex("40000004 616263"))), "length past the end");
    assertEquals(-1, ChannelData.channel(Unpooled.wrappedBuffer(hex("40000000 61626364"))), "more than padding");
    assertEquals(-1, ChannelData.channel(Unpooled.wrappedBuffer(hex("4000"))), "truncated header");
    assertTrue(ChannelData.looksLikeChannelData(Unpooled.wrappedBuffer(hex("40"))));
    assertFalse(ChannelData.looksLikeChannelData(Unpooled.wrappedBuffer(hex("00"))));
    assertEquals(3, ChannelData.dataLength(Unpooled.wrappedBuffer(hex("40000003 616263"))));
  }
}
