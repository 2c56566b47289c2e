package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

/** UNKNOWN-ATTRIBUTES (RFC 8489 section 14.9): the 16-bit types a 420 answer did not understand. */
public final class UnknownAttributes {

  private UnknownAttributes() {
  }

  public static int[] read(StunMessage message) {
    int index = message.find(AttributeType.UNKNOWN_ATTRIBUTES);
    if (index < 0) {
      return null;
    }
    int length = message.valueLength(index);
    if ((length & 1) != 0) {
      throw new MalformedMessageException("UNKNOWN-ATTRIBUTES of odd length");
    }
    int[] types = new int[length / 2];
    for (int i = 0; i < types.length; i++) {
      types[i] = message.buffer().getUnsignedShort(message.valueOffset(index) + 2 * i);
    }
    return types;
  }

  public static void write(MessageWriter writer, int[] types) {
    ByteBuf out = writer.buffer();
    writer.header(AttributeType.UNKNOWN_ATTRIBUTES, 2 * types.length);
    for (int type : types) {
      out.writeShort(type);
    }
    writer.pad(2 * types.length);
  }
}
