package io.switchboard.relay.proto;

/** REALM: the realm (fewer than 128 characters, at most 763 bytes). UTF-8. */
public final class Realm {

  public static final int MAX_BYTES = 763;

  private Realm() {
  }

  /** The value, or null when the message has none; malformed when too long or not UTF-8. */
  public static String read(StunMessage message) {
    int index = message.find(AttributeType.REALM);
    return index < 0 ? null : Text.read(message, index, MAX_BYTES, "REALM");
  }

  public static void write(MessageWriter writer, String value) {
    Text.write(writer, AttributeType.REALM, value, MAX_BYTES, "REALM");
  }
}
