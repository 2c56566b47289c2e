package io.switchboard.relay.proto;

/** USERNAME: the user name; RFC 8489 allows fewer than 513 bytes. UTF-8. */
public final class Username {

  public static final int MAX_BYTES = 512;

  private Username() {
  }

  /** The value, or null when the message has none; malformed when too long or not UTF-8. */
  public static String read(StunMessage message) {
    int index = message.find(AttributeType.USERNAME);
    return index < 0 ? null : Text.read(message, index, MAX_BYTES, "USERNAME");
  }

  public static void write(MessageWriter writer, String value) {
    Text.write(writer, AttributeType.USERNAME, value, MAX_BYTES, "USERNAME");
  }
}
