package io.switchboard.signaling.room;

/** Participant roles (docs/protocol.md, "Roles and visibility"). */
public enum Role {
  PUBLISHER("publisher"),
  VIEWER("viewer");

  private final String wire;

  Role(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Role of(String wire) {
    return "viewer".equals(wire) ? VIEWER : PUBLISHER;
  }

  /**
   * Whether a participant with this role sees (and may signal) one with {@code other}: publishers see
   * everyone, viewers see only publishers.
   */
  public boolean sees(Role other) {
    return this == PUBLISHER || other == PUBLISHER;
  }
}
