package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.switchboard.relay.proto.Bytes.decode;
import static io.switchboard.relay.proto.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("STUN message decoding: strict header, length and padding checks")
class StunMessageTest {

  @Test
  @DisplayName("every truncation of a valid message is refused as malformed, never anything else")
  void truncations() {
    byte[] full = Rfc5769VectorsTest.REQUEST;
    for (int length = 0; length < full.length; length++) {
      byte[] cut = Arrays.copyOf(full, length);
      assertThrows(MalformedMessageException.class, () -> decode(cut), "length " + cut.length);
    }
  }

  @Test
  @DisplayName("trailing bytes after the length the header states are refused")
  void trailingBytes() {
    byte[] longer = Arrays.copyOf(Rfc5769VectorsTest.REQUEST, Rfc5769VectorsTest.REQUEST.length + 4);
    assertThrows(MalformedMessageException.class, () -> decode(longer));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
    "c0012000 2112a442 000000000000000000000000",        // first two bits set
    "00010000 2112a443 000000000000000000000000",        // wrong cookie
    "00010002 2112a442 000000000000000000000000 0000",   // length not a multiple of 4
    "00010008 2112a442 000000000000000000000000 80220008 41424344", // attribute runs past the end
    "00010008 2112a442 000000000000000000000000 80220005 41424344", // padded length past the end
    "00010004 2112a442 000000000000000000000000 802200",  // wrong length field for the datagram
    "00010004 2112a442 000000000000000000000000 8022",   // short attribute header
  })
  @DisplayName("malformed headers and attributes")
  void malformed(String hexBytes) {
    assertThrows(MalformedMessageException.class, () -> decode(hex(hexBytes)));
  }

  @Test
  @DisplayName("an attribute after FINGERPRINT is malformed; after MESSAGE-INTEGRITY it is ignored")
  void ordering() {
    byte[] afterFingerprint = Bytes.build(Method.BINDING, MessageClass.REQUEST, w -> {
      w.fingerprint();
      Software.write(w, "x");
    });
    assertThrows(MalformedMessageException.class, () -> decode(afterFingerprint));

    byte[] afterIntegrity = Bytes.build(Method.BINDING, MessageClass.REQUEST, w -> {
      w.integrity(new byte[16]);
      Username.write(w, "smuggled");
      w.header(0x7777, 0).pad(0);
    });
    StunMessage m = decode(afterIntegrity);
    assertNull(Username.read(m), "USERNAME after MESSAGE-INTEGRITY is not covered by it: ignored");
    assertEquals(0, m.unknownComprehensionRequired().length, "unknown attribute after integrity is ignored");
    assertTrue(MessageIntegrity.verify(m, new byte[16]));
  }

  @Test
  @DisplayName("more than MAX_ATTRIBUTES attributes is refused")
  void tooManyAttributes() {
    byte[] many = Bytes.build(Method.BINDING, MessageClass.REQUEST, w -> {
      for (int i = 0; i <= StunMessage.MAX_ATTRIBUTES; i++) {
        w.header(0x8030, 0).pad(0);
      }
    });
    assertThrows(MalformedMessageException.class, () -> decode(many));
  }

  @Test
  @DisplayName("unknown comprehension-required attributes are listed once each, optional ones not at all")
  void unknownAttributes() {
    StunMessage m = Bytes.request(w -> {
      w.attribute(0x07AD, new byte[]{1, 2, 3, 4});
      ChannelNumber.write(w, 0x4000);
      w.attribute(0x7FFF, new byte[4]);
      w.attribute(0x07AD, new byte[0]);
      w.attribute(0x8000, new byte[4]);
    });
    assertArrayEquals(new int[]{0x07AD, 0x7FFF}, m.unknownComprehensionRequired());
  }

  @Test
  @DisplayName("the first of two equal attributes wins")
  void firstWins() {
    StunMessage m = Bytes.request(w -> {
      Lifetime.write(w, 10);
      Lifetime.write(w, 20);
    });
    assertEquals(10, Lifetime.read(m));
  }

  @Test
  @DisplayName("looksLikeStun needs the header, zero bits and the cookie")
  void looksLikeStun() {
    assertTrue(StunMessage.looksLikeStun(io.netty.buffer.Unpooled.wrappedBuffer(Rfc5769VectorsTest.REQUEST)));
    assertFalse(StunMessage.looksLikeStun(io.netty.buffer.Unpooled.wrappedBuffer(hex("40000000"))));
    assertArrayEquals(Bytes.TX, decode(Rfc5769VectorsTest.REQUEST).transactionId());
  }
}
