package io.switchboard.relay.proto;

/** SOFTWARE: the agent's name and version (fewer than 128 characters). UTF-8. */
public final class Software {

  public static final int MAX_BYTES = 763;

  private Software() {
  }

  /** The value, or null when the message has none; malformed when too long or not UTF-8. */
  public static String read(StunMessage message) {
    int index = message.find(AttributeType.SOFTWARE);
    return index < 0 ? null : Text.read(message, index, MAX_BYTES, "SOFTWARE");
  }

  public static void write(MessageWriter writer, String value) {
    Text.write(writer, AttributeType.SOFTWARE, value, MAX_BYTES, "SOFTWARE");
  }
}
