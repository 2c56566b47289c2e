package io.switchboard.relay.proto;

/** EVEN-PORT (RFC 8656 section 18.6): ask for an even relay port; the R bit asks to reserve the next one too. */
public final class EvenPort {

  /** What a request asked for. */
  public enum Request { NONE, EVEN, EVEN_AND_RESERVE_NEXT }

  private EvenPort() {
  }

  public static Request read(StunMessage message) {
    int index = message.find(AttributeType.EVEN_PORT);
    if (index < 0) {
      return Request.NONE;
    }
    if (message.valueLength(index) != 1) {
      throw new MalformedMessageException("EVEN-PORT must be 1 byte");
    }
    boolean reserve = (message.buffer().getUnsignedByte(message.valueOffset(index)) & 0x80) != 0;
    return reserve ? Request.EVEN_AND_RESERVE_NEXT : Request.EVEN;
  }

  public static void write(MessageWriter writer, boolean reserve) {
    writer.header(AttributeType.EVEN_PORT, 1);
    writer.buffer().writeByte(reserve ? 0x80 : 0);
    writer.pad(1);
  }
}
