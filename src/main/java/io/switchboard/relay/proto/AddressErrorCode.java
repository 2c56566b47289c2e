package io.switchboard.relay.proto;



/**
 * ADDRESS-ERROR-CODE (RFC 8656 section 18.12): in an Allocate success response, why the relayed address of one
 * family of a dual allocation was not allocated. Laid out like ERROR-CODE, except that the first byte holds the
 * family: family (8 bits), reserved (13), class (3), number (8), then the reason phrase. Both share one codec
 * ({@link ErrorCodeAttribute}). Read under RFC 8656's
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
    int at = message.valueOffset(index);
    int code = ErrorCodeAttribute.code(message, index, "ADDRESS-ERROR-CODE");
    return new Value(message.buffer().getUnsignedByte(at), code,
      Text.decode(message.buffer(), at + 4, message.valueLength(index) - 4, "ADDRESS-ERROR-CODE reason"));
  }

  public static void write(MessageWriter writer, int family, StunError error) {
    write(writer, AttributeType.ADDRESS_ERROR_CODE, family, error);
  }

  /** Under {@code type}: RFC 8656's number, or the drafts' for a client that asked under theirs. */
  public static void write(MessageWriter writer, int type, int family, StunError error) {
    ErrorCodeAttribute.write(writer, type, family, error.code(), error.reason());
  }
}
