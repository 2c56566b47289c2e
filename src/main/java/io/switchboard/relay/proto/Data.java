package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

/** DATA (RFC 8656 section 18.4): the application payload of a Send or Data indication. */
public final class Data {

  private Data() {
  }

  /** Index of the DATA attribute, or -1; its bytes are {@code valueOffset/valueLength} of that index. */
  public static int find(StunMessage message) {
    return message.find(AttributeType.DATA);
  }

  /** A slice sharing the datagram's memory, retained: the caller releases it (or hands it to a write). */
  public static ByteBuf retainedSlice(StunMessage message, int index) {
    return message.buffer().retainedSlice(message.valueOffset(index), message.valueLength(index));
  }

  public static void write(MessageWriter writer, ByteBuf payload, int offset, int length) {
    writer.attribute(AttributeType.DATA, payload, offset, length);
  }
}
