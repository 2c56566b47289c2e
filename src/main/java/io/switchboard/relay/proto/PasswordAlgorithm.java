package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

/**
 * PASSWORD-ALGORITHM (RFC 8489 section 14.12): the algorithm the client used for its long-term key:
 * 0x0001 MD5 (the classic key), 0x0002 SHA-256. Parameters are empty for both.
 */
public final class PasswordAlgorithm {

  public static final int MD5 = 0x0001;
  public static final int SHA256 = 0x0002;

  private PasswordAlgorithm() {
  }

  /** The algorithm number, or -1 when absent. */
  public static int read(StunMessage message) {
    int index = message.find(AttributeType.PASSWORD_ALGORITHM);
    if (index < 0) {
      return -1;
    }
    int length = message.valueLength(index);
    ByteBuf buf = message.buffer();
    int at = message.valueOffset(index);
    if (length < 4 || buf.getUnsignedShort(at + 2) != length - 4) {
      throw new MalformedMessageException("PASSWORD-ALGORITHM has a bad length");
    }
    return buf.getUnsignedShort(at);
  }

  public static void write(MessageWriter writer, int algorithm) {
    writer.intAttribute(AttributeType.PASSWORD_ALGORITHM, algorithm << 16);
  }
}
