package io.switchboard.relay.proto;

import java.util.function.BiConsumer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The checks every UTF-8 text attribute shares: round trip, absence, byte limit, invalid UTF-8. */
final class TextAttributeCases {

  private TextAttributeCases() {
  }

  static void check(int type, int maxBytes, BiConsumer<MessageWriter, String> write,
                    Function<StunMessage, String> read) {
    String unicode = "caf\u00e9 \u30de\u30c8\u30ea\u30c3\u30af\u30b9";
    assertEquals(unicode, read.apply(Bytes.request(w -> write.accept(w, unicode))));
    assertEquals("", read.apply(Bytes.request(w -> write.accept(w, ""))));
    assertNull(read.apply(Bytes.request(w -> { })));
    String longest = "a".repeat(maxBytes);
    assertEquals(longest, read.apply(Bytes.request(w -> write.accept(w, longest))));
    StunMessage tooLong = Bytes.request(w -> w.attribute(type, new byte[maxBytes + 1]));
    assertThrows(MalformedMessageException.class, () -> read.apply(tooLong));
    StunMessage notUtf8 = Bytes.request(w -> w.attribute(type, new byte[]{'a', (byte) 0xC3, (byte) 0x28}));
    assertThrows(MalformedMessageException.class, () -> read.apply(notUtf8));
  }
}
