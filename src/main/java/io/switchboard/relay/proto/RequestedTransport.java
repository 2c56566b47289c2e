package io.switchboard.relay.proto;

/** REQUESTED-TRANSPORT (RFC 8656 section 18.7): an IP protocol number (17 is UDP) and three reserved bytes. */
public final class RequestedTransport {

  public static final int UDP = 17;

  private RequestedTransport() {
  }

  /** The protocol number, or -1 when absent. */
  public static int read(StunMessage message) {
    int index = message.find(AttributeType.REQUESTED_TRANSPORT);
    if (index < 0) {
      return -1;
    }
    if (message.valueLength(index) != 4) {
      throw new MalformedMessageException("REQUESTED-TRANSPORT must be 4 bytes");
    }
    return message.buffer().getUnsignedByte(message.valueOffset(index));
  }

  public static void write(MessageWriter writer, int protocol) {
    writer.intAttribute(AttributeType.REQUESTED_TRANSPORT, protocol << 24);
  }
}
