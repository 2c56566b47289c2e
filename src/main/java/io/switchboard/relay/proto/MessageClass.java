package io.switchboard.relay.proto;

/** The two class bits of a STUN message type. */
public enum MessageClass {
  REQUEST, INDICATION, SUCCESS, ERROR;

  private static final MessageClass[] BY_BITS = values();

  static MessageClass fromBits(int bits) {
    return BY_BITS[bits];
  }

  int bits() {
    return ordinal();
  }
}
