package io.switchboard.signaling.room;

/** The room is at its participant limit; the newcomer is refused and nobody else is disturbed. */
public final class RoomFullException extends RuntimeException {
  public RoomFullException(String room, int limit) {
    // a refusal, not a fault: no stack trace to fill in
    super("room " + room + " is full (" + limit + " participants)", null, false, false);
  }
}
