package io.switchboard.signaling.room;


/** Commands the presence verticle answers ({@link PresenceDesk}). */
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
}
