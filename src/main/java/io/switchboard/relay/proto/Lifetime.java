package io.switchboard.relay.proto;

/** LIFETIME (RFC 8656 section 18.2): seconds an allocation should live, 32-bit unsigned. */
public final class Lifetime {

  private Lifetime() {
  }

  /** Seconds, or -1 when absent. */
  public static long read(StunMessage message) {
    int index = message.find(AttributeType.LIFETIME);
    if (index < 0) {
      return -1;
    }
    if (message.valueLength(index) != 4) {
      throw new MalformedMessageException("LIFETIME must be 4 bytes");
    }
    return message.buffer().getUnsignedInt(message.valueOffset(index));
  }

  public static void write(MessageWriter writer, long seconds) {
    writer.intAttribute(AttributeType.LIFETIME, (int) seconds);
  }
}
