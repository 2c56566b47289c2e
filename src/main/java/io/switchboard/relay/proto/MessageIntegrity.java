package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

/**
 * MESSAGE-INTEGRITY (RFC 8489 section 14.5): HMAC-SHA1 over the message up to the attribute, with the header's
 * length field counting up to the end of this attribute (so a FINGERPRINT after it does not change it).
 */
public final class MessageIntegrity {

  public static final int LENGTH = 20;

  private MessageIntegrity() {
  }

  public static boolean present(StunMessage message) {
    return message.integrityIndex() >= 0;
  }

  public static boolean verify(StunMessage message, byte[] key) {
    int index = message.integrityIndex();
    if (index < 0) {
      return false;
    }
    int attrStart = message.valueOffset(index) - 4;
    int lengthField = attrStart - message.start() - StunMessage.HEADER_LENGTH + 4 + LENGTH;
    byte[] expected = Digests.hmacSha1(key, message.buffer(), message.start(), attrStart, lengthField);
    return Digests.equal(expected, message.buffer(), message.valueOffset(index), LENGTH);
  }

  static void write(MessageWriter writer, byte[] key) {
    ByteBuf out = writer.buffer();
    int end = out.writerIndex();
    int lengthField = writer.bodyLength() + 4 + LENGTH;
    writer.setLength(lengthField);
    byte[] hmac = Digests.hmacSha1(key, out, writer.start(), end, lengthField);
    writer.attribute(AttributeType.MESSAGE_INTEGRITY, hmac);
  }
}
