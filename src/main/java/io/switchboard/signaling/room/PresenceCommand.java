package io.switchboard.signaling.room;

import io.switchboard.bus.LocalCodec;
import io.vertx.core.eventbus.EventBus;

/** Commands the presence verticle answers; passed by reference on the node-local event bus. */
public sealed interface PresenceCommand {

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

  /** Commands and replies pass by reference on the node-local bus. */
  static void registerCodecs(EventBus bus) {
    for (Class<?> type : TYPES) {
      LocalCodec.register(bus, type);
    }
  }
}
