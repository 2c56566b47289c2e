package io.switchboard.signaling.room;

import io.switchboard.bus.LocalCodec;
import io.vertx.core.eventbus.EventBus;

/** Commands the presence verticle answers; passed by reference on the node-local event bus. */
public sealed interface PresenceCommand {

  /** @param resumeHash SHA-256 of the secret of the resume token the session will be given (base64url) */
  record Join(Participant participant, String resumeHash, SessionEndpoint endpoint) implements PresenceCommand {
  }

  /** @param participant the session as it asks to be resumed: the id its resume token names */
  record Resume(Participant participant, String presentedHash, String newResumeHash, SessionEndpoint endpoint)
    implements PresenceCommand {
  }

  /** A session ends for good. */
  record Leave(String room, String sessionId, LeaveReason reason, SessionEndpoint endpoint)
    implements PresenceCommand {
  }

  /** A session's connection is gone without a leave: it waits in its grace period for a resume. */
  record Suspend(String room, String sessionId, LeaveReason reason, SessionEndpoint endpoint)
    implements PresenceCommand {
  }

  record Kick(String room, String sessionId) implements PresenceCommand {
  }

  record DescribeRooms() implements PresenceCommand {
  }

  record DescribeRoom(String room) implements PresenceCommand {
  }

  /** Failure codes of refused joins and resumes, on the event bus; the message says more. */
  int ROOM_FULL = 1;
  int IDENTITY_TAKEN = 2;
  int RESUME_FAILED = 3;

  Class<?>[] TYPES = {Join.class, Resume.class, Leave.class, Suspend.class, Kick.class, DescribeRooms.class,
    DescribeRoom.class, Room.class};

  /** Commands and replies pass by reference on the node-local bus. */
  static void registerCodecs(EventBus bus) {
    for (Class<?> type : TYPES) {
      LocalCodec.register(bus, type);
    }
  }
}
