package io.switchboard.relay.proto;

/**
 * The 14-bit STUN message type: method bits M0-M11 interleaved with class bits C0 (bit 4) and C1 (bit 8)
 * (RFC 8489 section 5).
 */
public final class MessageType {

  private MessageType() {
  }

  public static int encode(int method, MessageClass messageClass) {
    int c = messageClass.bits();
    return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
      | ((c & 0x1) << 4) | ((c & 0x2) << 7);
  }

  public static int method(int type) {
    return (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
  }

  public static MessageClass messageClass(int type) {
    return MessageClass.fromBits(((type >> 4) & 0x1) | ((type >> 7) & 0x2));
  }
}
