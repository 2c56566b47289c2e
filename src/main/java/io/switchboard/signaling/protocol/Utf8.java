package io.switchboard.signaling.protocol;

/**
 * UTF-8 sizes and checks. Strict UTF-8 check (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF. JSON text also never holds a raw NUL, and refusing NUL keeps Jackson from guessing UTF-16/32 for a
 * frame. Relayed frames are therefore byte-for-byte what the sender wrote, never "repaired" with U+FFFD.
 */
public final class Utf8 {

  /** Indexed by the number of continuation bytes: the lead byte's payload bits. */
  private static final int[] LEAD_PAYLOAD = {0x7F, 0x1F, 0x0F, 0x07};

  /** Indexed by the number of continuation bytes: the smallest code point that needs them (below: overlong). */
  private static final int[] MIN_CODE_POINT = {0, 0x80, 0x800, 0x10000};

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
      } else if (startsSurrogatePair(text, i)) {
        bytes += 2; // the pair: 2 chars, 4 bytes
        i++;
      } else if (!Character.isSurrogate(c)) {
        bytes += 2;
      }
    }
    return bytes;
  }

  private static boolean startsSurrogatePair(String text, int i) {
    return Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length()
      && Character.isLowSurrogate(text.charAt(i + 1));
  }

  static boolean isValidJsonText(byte[] bytes, int length) {
    int i = 0;
    while (i < length) {
      int size = validSequenceLength(bytes, i, length);
      if (size == 0) {
        return false;
      }
      i += size;
    }
    return true;
  }

  /** The size of the well-formed UTF-8 sequence, other than NUL, at {@code i}; 0 if there is none. */
  private static int validSequenceLength(byte[] bytes, int i, int length) {
    int lead = bytes[i] & 0xff;
    if (lead < 0x80) {
      return lead == 0 ? 0 : 1;
    }
    int continuation = continuationBytes(lead);
    if (continuation == 0 || i + continuation >= length) {
      return 0; // not a lead byte, or a truncated sequence
    }
    int codePoint = lead & LEAD_PAYLOAD[continuation];
    for (int k = 1; k <= continuation; k++) {
      int c = bytes[i + k] & 0xff;
      if ((c & 0xC0) != 0x80) {
        return 0;
      }
      codePoint = (codePoint << 6) | (c & 0x3F);
    }
    return isScalarValue(codePoint) && codePoint >= MIN_CODE_POINT[continuation] ? continuation + 1 : 0;
  }

  /** How many continuation bytes follow {@code lead}: 1 to 3, or 0 for a continuation byte, C0/C1 or F5-FF. */
  private static int continuationBytes(int lead) {
    if (lead >= 0xC2 && lead <= 0xDF) {
      return 1;
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
      return 2;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
      return 3;
    }
    return 0;
  }

  /** At most U+10FFFF and not a surrogate. */
  private static boolean isScalarValue(int codePoint) {
    return codePoint <= 0x10FFFF && (codePoint < 0xD800 || codePoint > 0xDFFF);
  }
}
