package io.switchboard.signaling.room;

/** A join refused because the identity is connected in the room already ({@code rooms.duplicateIdentity: reject}). */
public final class IdentityTakenException extends RuntimeException {

  public IdentityTakenException(String room) {
    super("this identity is already connected to room " + room);
  }
}
