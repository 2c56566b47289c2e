package io.switchboard.relay.proto;

/**
 * ADDITIONAL-ADDRESS-FAMILY (RFC 8656 section 18.11): asks an Allocate for a second relayed address, of this family,
 * besides the default IPv4 one (a dual allocation). Same layout as REQUESTED-ADDRESS-FAMILY: the family in the first
 * byte, three reserved bytes. Only 0x02 (IPv6) makes sense: asking for IPv4 "in addition" to IPv4 is a 400.
 */
public final class AdditionalAddressFamily {

  private AdditionalAddressFamily() {
  }

  /** {@link XorAddress#FAMILY_IPV6}, another number as sent, or -1 when absent. */
  public static int read(StunMessage message) {
    int index = message.find(AttributeType.ADDITIONAL_ADDRESS_FAMILY);
    if (index < 0) {
      return -1;
    }
    if (message.valueLength(index) != 4) {
      throw new MalformedMessageException("ADDITIONAL-ADDRESS-FAMILY must be 4 bytes");
    }
    return message.buffer().getUnsignedByte(message.valueOffset(index));
  }

  public static void write(MessageWriter writer, int family) {
    writer.intAttribute(AttributeType.ADDITIONAL_ADDRESS_FAMILY, family << 24);
  }
}
