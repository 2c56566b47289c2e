package io.switchboard.relay.proto;

/**
 * CHANNEL-NUMBER (RFC 8656 section 18.1): a channel number and two reserved bytes. RFC 8656 narrowed the range to
 * 0x4000-0x4FFF; RFC 5766 allowed up to 0x7FFF and clients still use it (coturn's turnutils_uclient picks numbers
 * there), so this server accepts the older, wider range.
 */
public final class ChannelNumber {

  public static final int MIN = 0x4000;
  public static final int MAX = 0x7FFF;

  private ChannelNumber() {
  }

  public static boolean valid(int number) {
    return number >= MIN && number <= MAX;
  }

  /** The number as sent (not range-checked), or -1 when absent. */
  public static int read(StunMessage message) {
    int index = message.find(AttributeType.CHANNEL_NUMBER);
    if (index < 0) {
      return -1;
    }
    if (message.valueLength(index) != 4) {
      throw new MalformedMessageException("CHANNEL-NUMBER must be 4 bytes");
    }
    return message.buffer().getUnsignedShort(message.valueOffset(index));
  }

  public static void write(MessageWriter writer, int number) {
    writer.intAttribute(AttributeType.CHANNEL_NUMBER, number << 16);
  }
}
