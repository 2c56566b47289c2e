package io.switchboard.signaling.room;

/** Why a participant left, as sent in {@code peer-left}. */
public enum LeaveReason {
  LEFT("left"),
  DISCONNECTED("disconnected"),
  REPLACED("replaced"),
  KICKED("kicked"),
  NODE_LOST("node-lost");

  private final String wire;

  LeaveReason(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
