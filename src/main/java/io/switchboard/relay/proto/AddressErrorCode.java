package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * ADDRESS-ERROR-CODE (RFC 8656 section 18.12): in an Allocate success response, why the relayed address of one
 * family of a dual allocation was not allocated. Laid out like ERROR-CODE, except that the first byte holds the
 * family: family (8 bits), reserved (13), class (3), number (8), then the reason phrase. Read under RFC 8656's
 * number (0x8001) or the drafts' (0x8033).
 */
public final class AddressErrorCode {

  /** A decoded ADDRESS-ERROR-CODE. */
  public record Value(int family, int code, String reason) {
  }

  private AddressErrorCode() {
  }

  /** The first ADDRESS-ERROR-CODE, or null when absent. */
  public static Value read(StunMessage message) {
    int index = message.find(AttributeType.ADDRESS_ERROR_CODE);
    if (index < 0) {
      index = message.find(AttributeType.ADDRESS_ERROR_CODE_DRAFT);
    }
    if (index < 0) {
      return null;
    }
    int length = message.valueLength(index);
    if (length < 4 || length > 4 + ErrorCodeAttribute.MAX_REASON_BYTES) {
      throw new MalformedMessageException("ADDRESS-ERROR-CODE of length " + length);
    }
    ByteBuf buf = message.buffer();
    int at = message.valueOffset(index);
    int errorClass = buf.getUnsignedByte(at + 2) & 0x07;
    int number = buf.getUnsignedByte(at + 3);
    if (errorClass < 3 || errorClass > 6 || number > 99) {
      throw new MalformedMessageException("ADDRESS-ERROR-CODE " + errorClass + "/" + number + " out of range");
    }
    return new Value(buf.getUnsignedByte(at), errorClass * 100 + number,
      Text.decode(buf, at + 4, length - 4, "ADDRESS-ERROR-CODE reason"));
  }

  public static void write(MessageWriter writer, int family, StunError error) {
    write(writer, AttributeType.ADDRESS_ERROR_CODE, family, error);
  }

  /** Under {@code type}: RFC 8656's number, or the drafts' for a client that asked under theirs. */
  public static void write(MessageWriter writer, int type, int family, StunError error) {
    byte[] phrase = error.reason().getBytes(StandardCharsets.UTF_8);
    ByteBuf out = writer.buffer();
    writer.header(type, 4 + phrase.length);
    out.writeByte(family);
    out.writeByte(0);
    out.writeByte(error.code() / 100);
    out.writeByte(error.code() % 100);
    out.writeBytes(phrase);
    writer.pad(4 + phrase.length);
  }
}
