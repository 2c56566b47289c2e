package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/** ERROR-CODE (RFC 8489 section 14.8): 21 zero bits, class (hundreds, 3-6), number (0-99), reason phrase. */
public final class ErrorCodeAttribute {

  public static final int MAX_REASON_BYTES = 763;

  /** A decoded ERROR-CODE. */
  public record Value(int code, String reason) {
  }

  private ErrorCodeAttribute() {
  }

  public static Value read(StunMessage message) {
    int index = message.find(AttributeType.ERROR_CODE);
    if (index < 0) {
      return null;
    }
    int at = message.valueOffset(index);
    int length = message.valueLength(index);
    return new Value(code(message, index, "ERROR-CODE"),
      Text.decode(message.buffer(), at + 4, length - 4, "ERROR-CODE reason"));
  }

  /**
   * The code (class × 100 + number) of the attribute at {@code index}, laid out as ERROR-CODE is from its third byte
   * on (ADDRESS-ERROR-CODE too); its length and range checked.
   */
  static int code(StunMessage message, int index, String name) {
    int length = message.valueLength(index);
    if (length < 4 || length > 4 + MAX_REASON_BYTES) {
      throw new MalformedMessageException(name + " of length " + length);
    }
    ByteBuf buf = message.buffer();
    int at = message.valueOffset(index);
    int errorClass = buf.getUnsignedByte(at + 2) & 0x07;
    int number = buf.getUnsignedByte(at + 3);
    if (errorClass < 3 || errorClass > 6 || number > 99) {
      throw new MalformedMessageException(name + " " + errorClass + "/" + number + " out of range");
    }
    return errorClass * 100 + number;
  }

  public static void write(MessageWriter writer, StunError error) {
    write(writer, error.code(), error.reason());
  }

  public static void write(MessageWriter writer, int code, String reason) {
    write(writer, AttributeType.ERROR_CODE, 0, code, reason);
  }

  /** ERROR-CODE's layout under {@code type}, with {@code firstByte} in its first byte (ADDRESS-ERROR-CODE's family). */
  static void write(MessageWriter writer, int type, int firstByte, int code, String reason) {
    if (code < 300 || code > 699) {
      throw new IllegalArgumentException("error code out of range: " + code);
    }
    byte[] phrase = reason.getBytes(StandardCharsets.UTF_8);
    ByteBuf out = writer.buffer();
    writer.header(type, 4 + phrase.length);
    out.writeByte(firstByte);
    out.writeByte(0);
    out.writeByte(code / 100);
    out.writeByte(code % 100);
    out.writeBytes(phrase);
    writer.pad(4 + phrase.length);
  }

}
