package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

/**
 * MESSAGE-INTEGRITY-SHA256 (RFC 8489 section 14.6): HMAC-SHA256 over the message up to the attribute, possibly
 * truncated by the sender to 16-32 bytes (a multiple of four); this server writes all 32.
 */
public final class MessageIntegritySha256 {

  public static final int LENGTH = 32;

  private MessageIntegritySha256() {
  }

  public static boolean present(StunMessage message) {
    return message.integritySha256Index() >= 0;
  }

  public static boolean verify(StunMessage message, byte[] key) {
    int index = message.integritySha256Index();
    if (index < 0) {
      return false;
    }
    int valueLength = message.valueLength(index);
    int attrStart = message.valueOffset(index) - 4;
    int lengthField = attrStart - message.start() - StunMessage.HEADER_LENGTH + 4 + valueLength;
    byte[] expected = Digests.hmacSha256(key, message.buffer(), message.start(), attrStart, lengthField);
    return Digests.equal(expected, message.buffer(), message.valueOffset(index), valueLength);
  }

  static void write(MessageWriter writer, byte[] key) {
    ByteBuf out = writer.buffer();
    int end = out.writerIndex();
    int lengthField = writer.bodyLength() + 4 + LENGTH;
    writer.setLength(lengthField);
    byte[] hmac = Digests.hmacSha256(key, out, writer.start(), end, lengthField);
    writer.attribute(AttributeType.MESSAGE_INTEGRITY_SHA256, hmac);
  }
}
