package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

import java.util.zip.CRC32;

/** FINGERPRINT (RFC 8489 section 14.7): CRC-32 of the message before it, XOR 0x5354554E; always last. */
public final class Fingerprint {

  public static final int XOR = 0x5354554E;

  private Fingerprint() {
  }

  public static boolean present(StunMessage message) {
    return message.fingerprintIndex() >= 0;
  }

  /** True when the message has a FINGERPRINT and it matches; a message without one is not "verified". */
  public static boolean verify(StunMessage message) {
    int index = message.fingerprintIndex();
    if (index < 0) {
      return false;
    }
    int attrStart = message.valueOffset(index) - 4;
    int expected = crc(message.buffer(), message.start(), attrStart) ^ XOR;
    return message.buffer().getInt(message.valueOffset(index)) == expected;
  }

  static void write(MessageWriter writer) {
    ByteBuf out = writer.buffer();
    int end = out.writerIndex();
    writer.setLength(writer.bodyLength() + 8);
    int value = crc(out, writer.start(), end) ^ XOR;
    writer.intAttribute(AttributeType.FINGERPRINT, value);
  }

  private static int crc(ByteBuf buf, int start, int end) {
    CRC32 crc = new CRC32();
    crc.update(buf.nioBuffer(start, end - start));
    return (int) crc.getValue();
  }
}
