package io.switchboard.signaling.session;

/** WebSocket close codes Switchboard uses (docs/decisions.md). */
public final class CloseCodes {

  public static final short LEFT = 1000;
  public static final short GOING_AWAY = 1001;
  public static final short POLICY = 1008;
  public static final short INTERNAL_ERROR = 1011;
  public static final short REPLACED = 4001;
  public static final short KICKED = 4002;
  public static final short ROOM_FULL = 4003;
  /** The identity is connected to the room already and {@code rooms.duplicateIdentity} is {@code reject}. */
  public static final short DUPLICATE_IDENTITY = 4004;
  /** The session was resumed on another connection (this one had dropped without the server noticing yet). */
  public static final short RESUMED_ELSEWHERE = 4005;
  public static final short PING_TIMEOUT = 4008;

  private CloseCodes() {
  }
}
