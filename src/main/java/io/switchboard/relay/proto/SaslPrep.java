package io.switchboard.relay.proto;

import java.text.Normalizer;

/**
 * The parts of SASLprep (RFC 4013) that change real passwords: characters "commonly mapped to nothing"
 * (RFC 3454 table B.1) are removed, non-ASCII spaces become U+0020, then NFKC. ASCII passwords, which TURN REST
 * credentials always are, pass unchanged. Prohibited-output and bidi checks are not applied: a password that would
 * fail them simply does not match.
 */
public final class SaslPrep {

  private SaslPrep() {
  }

  public static String prepare(String password) {
    boolean ascii = true;
    for (int i = 0; i < password.length() && ascii; i++) {
      ascii = password.charAt(i) < 0x80;
    }
    if (ascii) {
      return password;
    }
    StringBuilder mapped = new StringBuilder(password.length());
    password.codePoints().forEach(cp -> {
      if (mappedToNothing(cp)) {
        return;
      }
      mapped.appendCodePoint(nonAsciiSpace(cp) ? ' ' : cp);
    });
    return Normalizer.normalize(mapped, Normalizer.Form.NFKC);
  }

  private static boolean mappedToNothing(int cp) {
    return cp == 0x00AD || cp == 0x034F || cp == 0x1806 || (cp >= 0x180B && cp <= 0x180D)
      || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF;
  }

  private static boolean nonAsciiSpace(int cp) {
    return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F
      || cp == 0x3000;
  }
}
