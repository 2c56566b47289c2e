package io.switchboard.signaling.protocol;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("Utf8.encodedLength equals the length of getBytes(UTF_8)")
class Utf8Test {

  @Test
  void samples() {
    for (String text : new String[] {"", "ascii", "é", "€", "😀", "a😀b€é", "\uD800", "x\uDC00y", "\uD83D"}) {
      assertEquals(text.getBytes(StandardCharsets.UTF_8).length, Utf8.encodedLength(text), text);
    }
  }

  @Test
  void randomStrings() {
    Random random = new Random(7);
    for (int n = 0; n < 5_000; n++) {
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(40); i > 0; i--) {
        text.append((char) (random.nextInt(4) == 0 ? random.nextInt(0x10000) : random.nextInt(0x800)));
      }
      String s = text.toString();
      assertEquals(s.getBytes(StandardCharsets.UTF_8).length, Utf8.encodedLength(s), () -> s.chars()
        .mapToObj(Integer::toHexString).reduce("", (a, b) -> a + " " + b));
    }
  }
}
