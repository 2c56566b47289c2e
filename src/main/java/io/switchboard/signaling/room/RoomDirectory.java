package io.switchboard.signaling.room;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Room presence as the edge sees it: commands to this node's presence verticle. Futures complete on the
 * caller's context.
 */
public interface RoomDirectory {

  /**
   * Admits a session. {@link SessionEndpoint#admitted} is called before the future completes; fails with
   * {@link RoomFullException} or {@link IdentityTakenException}.
   */
  Future<Room> join(Participant participant, String resumeHash, SessionEndpoint endpoint);

  /**
   * Resumes the session {@code participant} names (its id) on this node; {@link SessionEndpoint#admitted} is
   * called with {@code resumed} before the future completes. Fails with {@link ResumeFailedException}.
   */
  Future<Room> resume(Participant participant, String presentedHash, String newResumeHash, SessionEndpoint endpoint);

  /** Removes a session for good (idempotent); only while {@code endpoint} is still the one that reaches it. */
  Future<Void> leave(String room, String sessionId, LeaveReason reason, SessionEndpoint endpoint);

  /** The session's connection is gone: it waits for a resume, or leaves with {@code reason} when its time is up. */
  Future<Void> suspend(String room, String sessionId, LeaveReason reason, SessionEndpoint endpoint);

  /** Kicks a session; true when it was found. */
  Future<Boolean> kick(String room, String sessionId);

  Future<JsonArray> describeRooms();

  /** Null when the room has no participants. */
  Future<JsonObject> describeRoom(String room);
}
