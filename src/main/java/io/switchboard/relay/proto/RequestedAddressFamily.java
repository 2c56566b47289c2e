package io.switchboard.relay.proto;

/** REQUESTED-ADDRESS-FAMILY (RFC 8656 section 18.10): 0x01 IPv4 or 0x02 IPv6, then three reserved bytes. */
public final class RequestedAddressFamily {

  private RequestedAddressFamily() {
  }

  /** {@link XorAddress#FAMILY_IPV4}, {@link XorAddress#FAMILY_IPV6}, another number as sent, or -1 when absent. */
  public static int read(StunMessage message) {
    int index = message.find(AttributeType.REQUESTED_ADDRESS_FAMILY);
    if (index < 0) {
      return -1;
    }
    if (message.valueLength(index) != 4) {
      throw new MalformedMessageException("REQUESTED-ADDRESS-FAMILY must be 4 bytes");
    }
    return message.buffer().getUnsignedByte(message.valueOffset(index));
  }

  public static void write(MessageWriter writer, int family) {
    writer.intAttribute(AttributeType.REQUESTED_ADDRESS_FAMILY, family << 24);
  }
}
