package io.switchboard.signaling.room;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Room presence as the edge sees it. The single-node implementation talks to the presence verticle; a
 * clustered one can replace it without the edge changing. Futures complete on the caller's context.
 */
public interface RoomDirectory {

  /**
   * Admits a session. {@link SessionEndpoint#admitted} is called before the future completes; fails with
   * {@link RoomFullException} when the room is full.
   */
  Future<Room> join(Participant participant, SessionEndpoint endpoint);

  /** Removes a session (idempotent). */
  Future<Void> leave(String room, String sessionId, LeaveReason reason);

  /** Kicks a session; true when it was found. */
  Future<Boolean> kick(String room, String sessionId);

  Future<JsonArray> describeRooms();

  /** Null when the room has no participants. */
  Future<JsonObject> describeRoom(String room);
}
