package io.switchboard.signaling.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Makes the frame a receiver gets from the frame a sender sent: {@code to} removed, {@code "from"} added in
 * front, every other byte untouched (docs/protocol.md, "What the receiver gets": SDP and candidates are
 * opaque). Works on the raw bytes, so relaying costs one copy, not a parse tree and a re-encode.
 */
public final class RelayFrame {

  private static final String FROM_START = "{\"from\":\"";

  private RelayFrame() {
  }

  /**
   * The start of every frame relayed from one sender, {@code {"from":"<id>"}}, made once per session.
   * Session ids are URL-safe characters only, so the id needs no escaping.
   */
  public static byte[] fromPrefix(String senderId) {
    return (FROM_START + senderId + "\"").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The sender id at the start of a relayed frame ({@code {"from":"<id>"...}}), or null when the frame does not
   * start like one. For frames that arrive from other nodes, whose sender is checked before delivery.
   */
  public static String senderOf(String relayed) {
    if (!relayed.startsWith(FROM_START)) {
      return null;
    }
    int end = relayed.indexOf('"', FROM_START.length());
    return end < 0 ? null : relayed.substring(FROM_START.length(), end);
  }

  /**
   * @param frame  the sender's frame, already validated by {@link FrameParser}
   * @param prefix the sender's {@link #fromPrefix}
   */
  public static String rewrite(byte[] frame, int length, ClientFrame parsed, byte[] prefix) {
    int open = indexOfOpeningBrace(frame, length);
    int cutStart = length;
    int cutEnd = length;
    if (parsed.toMemberStart() >= 0) {
      cutStart = parsed.toMemberStart();
      cutEnd = parsed.toMemberEnd();
      int after = skipWhitespace(frame, cutEnd, length);
      if (frame[after] == ',') {
        cutEnd = after + 1; // `"to":"x",` — take the comma behind it
      } else {
        int before = skipWhitespaceBackwards(frame, cutStart - 1);
        if (frame[before] == ',') {
          cutStart = before; // last member: take the comma in front of it
        }
      }
    }
    int bodyStart = open + 1;
    boolean bodyHasMembers = hasMembers(frame, bodyStart, cutStart, cutEnd, length);
    int outLength = prefix.length + (bodyHasMembers ? 1 : 0) + (length - bodyStart) - (cutEnd - cutStart);
    byte[] out = new byte[outLength];
    int pos = 0;
    System.arraycopy(prefix, 0, out, pos, prefix.length);
    pos += prefix.length;
    if (bodyHasMembers) {
      out[pos++] = ',';
    }
    System.arraycopy(frame, bodyStart, out, pos, cutStart - bodyStart);
    pos += cutStart - bodyStart;
    System.arraycopy(frame, cutEnd, out, pos, length - cutEnd);
    return new String(out, StandardCharsets.UTF_8);
  }

  private static boolean hasMembers(byte[] frame, int bodyStart, int cutStart, int cutEnd, int length) {
    int first = skipWhitespace(frame, bodyStart, length);
    if (first == cutStart) {
      first = skipWhitespace(frame, cutEnd, length);
    }
    return first < length && frame[first] != '}';
  }

  private static int indexOfOpeningBrace(byte[] frame, int length) {
    int i = skipWhitespace(frame, 0, length);
    if (i + 2 < length && (frame[i] & 0xff) == 0xEF && (frame[i + 1] & 0xff) == 0xBB && (frame[i + 2] & 0xff) == 0xBF) {
      i = skipWhitespace(frame, i + 3, length); // UTF-8 byte order mark
    }
    return i;
  }

  private static int skipWhitespace(byte[] frame, int from, int length) {
    int i = from;
    while (i < length && isWhitespace(frame[i])) {
      i++;
    }
    return i;
  }

  private static int skipWhitespaceBackwards(byte[] frame, int from) {
    int i = from;
    while (i > 0 && isWhitespace(frame[i])) {
      i--;
    }
    return i;
  }

  private static boolean isWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }
}
