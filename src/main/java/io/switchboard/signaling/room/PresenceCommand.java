package io.switchboard.signaling.room;

/** Commands the presence verticle answers; passed by reference on the node-local event bus. */
sealed interface PresenceCommand {

  record Join(Participant participant, SessionEndpoint endpoint) implements PresenceCommand {
  }

  record Leave(String room, String sessionId, LeaveReason reason) implements PresenceCommand {
  }

  record Kick(String room, String sessionId) implements PresenceCommand {
  }

  record DescribeRooms() implements PresenceCommand {
  }

  record DescribeRoom(String room) implements PresenceCommand {
  }

  /** Failure code of a refused join, on the event bus. */
  int ROOM_FULL = 1;

  Class<?>[] TYPES = {Join.class, Leave.class, Kick.class, DescribeRooms.class, DescribeRoom.class, Room.class};
}
