package io.switchboard.signaling.protocol;

/**
 * UTF-8 sizes and checks. Strict UTF-8 check (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. JSON text also
 * never holds a raw NUL, and refusing NUL keeps Jackson from guessing UTF-16/32 for a frame. Relayed frames
 * are therefore byte-for-byte what the sender wrote, never "repaired" with U+FFFD.
 */
public final class Utf8 {

  private Utf8() {
  }

  /**
   * The size of {@code text.getBytes(UTF_8)}, without encoding it. Java writes an unpaired surrogate as {@code ?}
   * (one byte); frames from validated UTF-8 never hold one.
   */
  public static int encodedLength(String text) {
    int bytes = text.length();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        continue;
      }
      if (c < 0x800) {
        bytes += 1;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 2; // the pair: 2 chars, 4 bytes
        i++;
      } else if (!Character.isSurrogate(c)) {
        bytes += 2;
      }
    }
    return bytes;
  }

  static boolean isValidJsonText(byte[] bytes, int length) {
    int i = 0;
    while (i < length) {
      int b = bytes[i] & 0xff;
      if (b < 0x80) {
        if (b == 0) {
          return false;
        }
        i++;
        continue;
      }
      int continuation;
      int min;
      int codePoint;
      if (b >= 0xC2 && b <= 0xDF) {
        continuation = 1;
        min = 0x80;
        codePoint = b & 0x1F;
      } else if (b >= 0xE0 && b <= 0xEF) {
        continuation = 2;
        min = 0x800;
        codePoint = b & 0x0F;
      } else if (b >= 0xF0 && b <= 0xF4) {
        continuation = 3;
        min = 0x10000;
        codePoint = b & 0x07;
      } else {
        return false; // continuation byte without a lead, C0/C1, or F5-FF
      }
      if (i + continuation >= length) {
        return false; // truncated sequence
      }
      for (int k = 1; k <= continuation; k++) {
        int c = bytes[i + k] & 0xff;
        if ((c & 0xC0) != 0x80) {
          return false;
        }
        codePoint = (codePoint << 6) | (c & 0x3F);
      }
      if (codePoint < min || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
        return false;
      }
      i += continuation + 1;
    }
    return true;
  }
}
