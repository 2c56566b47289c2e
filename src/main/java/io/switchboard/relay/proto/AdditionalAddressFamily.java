package io.switchboard.relay.proto;

/**
 * ADDITIONAL-ADDRESS-FAMILY (RFC 8656 section 18.11): asks an Allocate for a second relayed address, of this family,
 * besides the default IPv4 one (a dual allocation). Same layout as REQUESTED-ADDRESS-FAMILY: the family in the first
 * byte, three reserved bytes. Only 0x02 (IPv6) makes sense: asking for IPv4 "in addition" to IPv4 is a 400.
 * Read under RFC 8656's number (0x8000) or, failing that, the drafts' (0x8032), which coturn's clients still use.
 */
public final class AdditionalAddressFamily {

  private AdditionalAddressFamily() {
  }

  /** {@link XorAddress#FAMILY_IPV6}, another number as sent, or -1 when absent. */
  public static int read(StunMessage message) {
    int index = message.find(AttributeType.ADDITIONAL_ADDRESS_FAMILY);
    if (index < 0) {
      index = message.find(AttributeType.ADDITIONAL_ADDRESS_FAMILY_DRAFT);
    }
    if (index < 0) {
      return -1;
    }
    if (message.valueLength(index) != 4) {
      throw new MalformedMessageException("ADDITIONAL-ADDRESS-FAMILY must be 4 bytes");
    }
    return message.buffer().getUnsignedByte(message.valueOffset(index));
  }

  /**
   * The ADDRESS-ERROR-CODE type to answer {@code message} with: the drafts' (0x8033) when it asked under the drafts'
   * number alone, else RFC 8656's.
   */
  public static int addressErrorType(StunMessage message) {
    return message.find(AttributeType.ADDITIONAL_ADDRESS_FAMILY) < 0
      && message.find(AttributeType.ADDITIONAL_ADDRESS_FAMILY_DRAFT) >= 0
      ? AttributeType.ADDRESS_ERROR_CODE_DRAFT : AttributeType.ADDRESS_ERROR_CODE;
  }

  public static void write(MessageWriter writer, int family) {
    write(writer, AttributeType.ADDITIONAL_ADDRESS_FAMILY, family);
  }

  /** Under {@code type}: RFC 8656's number or the drafts'. */
  public static void write(MessageWriter writer, int type, int family) {
    writer.intAttribute(type, family << 24);
  }
}
