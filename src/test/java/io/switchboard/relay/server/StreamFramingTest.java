package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchboard.relay.proto.StunMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("stream framing: where a STUN message or ChannelData ends on TCP and TLS")
class StreamFramingTest {

  private static final int MAX = 8192;

  private static ByteBuf bytes(int... values) {
    ByteBuf buf = Unpooled.buffer();
    for (int v : values) {
      buf.writeByte(v);
    }
    return buf;
  }

  private static ByteBuf stunHeader(int length) {
    return Unpooled.buffer().writeShort(0x0001).writeShort(length).writeInt(StunMessage.MAGIC_COOKIE)
      .writeZero(12);
  }

  @Test
  @DisplayName("a STUN header tells its length once the cookie is there; ChannelData once its 4-byte header is")
  void lengths() {
    assertEquals(StreamFraming.INCOMPLETE, StreamFraming.messageLength(Unpooled.EMPTY_BUFFER, MAX));
    assertEquals(StreamFraming.INCOMPLETE, StreamFraming.messageLength(bytes(0x00, 0x01, 0x00), MAX));
    assertEquals(StreamFraming.INCOMPLETE, StreamFraming.messageLength(bytes(0x00, 0x01, 0x00, 0x08, 0x21), MAX));
    assertEquals(28, StreamFraming.messageLength(stunHeader(8), MAX));
    assertEquals(4 + 5, StreamFraming.messageLength(bytes(0x40, 0x00, 0x00, 0x05), MAX));
    assertEquals(12, StreamFraming.streamLength(9), "ChannelData padded to four on a stream");
    assertEquals(28, StreamFraming.streamLength(28));
  }

  @Test
  @DisplayName("a message beyond the maximum is refused from its header alone, 64 KiB announced or just above")
  void tooLarge() {
    assertEquals(StreamFraming.TOO_LARGE, StreamFraming.messageLength(bytes(0x00, 0x01, 0xFF, 0xFC), MAX));
    assertEquals(StreamFraming.TOO_LARGE, StreamFraming.messageLength(bytes(0x00, 0x01, 0xFF, 0xFF), MAX));
    assertEquals(StreamFraming.TOO_LARGE, StreamFraming.messageLength(bytes(0x7F, 0xFF, 0x1F, 0xFD), MAX));
    assertEquals(MAX, StreamFraming.messageLength(bytes(0x40, 0x00, 0x1F, 0xFC), MAX));
    assertEquals(MAX, StreamFraming.messageLength(stunHeader(MAX - 20), MAX));
  }

  @Test
  @DisplayName("bytes that are neither STUN nor ChannelData: a first byte of 10 or 11, no cookie, a ragged length")
  void notTurn() {
    assertEquals(StreamFraming.NOT_TURN, StreamFraming.messageLength(bytes(0x80), MAX));
    assertEquals(StreamFraming.NOT_TURN, StreamFraming.messageLength(bytes(0xFF, 0x00), MAX));
    // a TLS ClientHello sent to the TCP port: 0x16 0x03 ... has no magic cookie
    assertEquals(StreamFraming.NOT_TURN, StreamFraming.messageLength(bytes(0x16, 0x03, 0x01, 0x02, 0x00, 0x01,
      0x00, 0x01, 0xFC), MAX));
    assertEquals(StreamFraming.NOT_TURN, StreamFraming.messageLength(bytes(0x00, 0x01, 0x00, 0x06), MAX));
  }
}
