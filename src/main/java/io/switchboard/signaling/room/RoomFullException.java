package io.switchboard.signaling.room;

/** The room is at its participant limit; the newcomer is refused and nobody else is disturbed. */
public final class RoomFullException extends RuntimeException {
  public RoomFullException(String room, int limit) {
    this("room " + room + " is full (" + limit + " participants)");
  }

  /** Rebuilt from a message that crossed the event bus. */
  public RoomFullException(String message) {
    super(message, null, false, false);
  }
}
