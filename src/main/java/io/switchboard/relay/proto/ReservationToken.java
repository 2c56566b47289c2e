package io.switchboard.relay.proto;

/** RESERVATION-TOKEN (RFC 8656 section 18.9): 8 opaque bytes naming a relay port the server holds for a client. */
public final class ReservationToken {

  private ReservationToken() {
  }

  /** The token, or null when absent; malformed unless exactly 8 bytes. */
  public static Long read(StunMessage message) {
    int index = message.find(AttributeType.RESERVATION_TOKEN);
    if (index < 0) {
      return null;
    }
    if (message.valueLength(index) != 8) {
      throw new MalformedMessageException("RESERVATION-TOKEN must be 8 bytes");
    }
    return message.buffer().getLong(message.valueOffset(index));
  }

  public static void write(MessageWriter writer, long token) {
    writer.header(AttributeType.RESERVATION_TOKEN, 8);
    writer.buffer().writeLong(token);
    writer.pad(8);
  }
}
