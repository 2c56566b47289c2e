package io.switchboard.relay.proto;

/** NONCE: the server's nonce (fewer than 128 characters, at most 763 bytes). UTF-8. */
public final class Nonce {

  public static final int MAX_BYTES = 763;

  private Nonce() {
  }

  /** The value, or null when the message has none; malformed when too long or not UTF-8. */
  public static String read(StunMessage message) {
    int index = message.find(AttributeType.NONCE);
    return index < 0 ? null : Text.read(message, index, MAX_BYTES, "NONCE");
  }

  public static void write(MessageWriter writer, String value) {
    Text.write(writer, AttributeType.NONCE, value, MAX_BYTES, "NONCE");
  }
}
