package io.switchboard.signaling.room;

import io.switchboard.signaling.protocol.ServerFrames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rooms of this node and the presence rules: admission, the room limit, replacement of a duplicate
 * identity, and who is told about whom. Single-threaded by contract (the presence verticle's event loop);
 * {@link Room}s it hands out may be read from any thread.
 */
public final class RoomRegistry {

  private final Map<String, Room> rooms = new ConcurrentHashMap<>();
  private final int maxParticipantsPerRoom;

  public RoomRegistry(int maxParticipantsPerRoom) {
    this.maxParticipantsPerRoom = maxParticipantsPerRoom;
  }

  /**
   * Admits {@code newcomer}. A session already holding the same identity in the room is replaced (evicted,
   * announced as {@code peer-left replaced}); a replacement is admitted even into a full room.
   *
   * @throws RoomFullException when the room is at its limit and this is not a replacement
   */
  public Room join(Participant newcomer, SessionEndpoint endpoint) {
    Room room = rooms.computeIfAbsent(newcomer.room(), Room::new);
    String previous = room.sessionOf(newcomer.identity());
    if (previous == null && room.size() >= maxParticipantsPerRoom) {
      throw new RoomFullException(room.name(), maxParticipantsPerRoom);
    }
    if (previous != null) {
      Member replaced = room.member(previous);
      replaced.endpoint().evicted(LeaveReason.REPLACED);
      removeAnnounced(room, replaced, LeaveReason.REPLACED);
    }
    // welcome goes out before the session is routable or announced, so it is always its first frame
    endpoint.admitted(room, room.visibleTo(newcomer.role(), newcomer.id()));
    room.add(new Member(newcomer, endpoint));
    room.notifyObserversOf(newcomer, ServerFrames.peerJoined(newcomer.peerJson()));
    return room;
  }

  /**
   * Removes a session and tells those who saw it. Idempotent: a session already gone (replaced, kicked)
   * returns null and nobody hears of it twice.
   */
  public Member leave(String roomName, String sessionId, LeaveReason reason) {
    Room room = rooms.get(roomName);
    if (room == null) {
      return null;
    }
    Member leaving = room.member(sessionId);
    if (leaving == null) {
      return null;
    }
    removeAnnounced(room, leaving, reason);
    if (room.size() == 0) {
      rooms.remove(roomName, room);
    }
    return leaving;
  }

  /**
   * peer-left is queued before the member stops being routable, so an observer never gets unknown-peer for
   * it ahead of the peer-left.
   */
  private static void removeAnnounced(Room room, Member member, LeaveReason reason) {
    room.notifyObserversOf(member.participant(), ServerFrames.peerLeft(member.participant().id(), reason.wire()));
    room.remove(member.participant().id());
  }

  /** Removes a session on an admin's order; the session itself is closed. Returns whether it was there. */
  public boolean kick(String roomName, String sessionId) {
    Room room = rooms.get(roomName);
    Member member = room == null ? null : room.member(sessionId);
    if (member == null) {
      return false;
    }
    member.endpoint().evicted(LeaveReason.KICKED);
    leave(roomName, sessionId, LeaveReason.KICKED);
    return true;
  }

  public int roomCount() {
    return rooms.size();
  }

  /** Admin view: one summary per room. */
  public JsonArray describeRooms() {
    JsonArray list = new JsonArray();
    rooms.values().stream()
      .sorted((a, b) -> a.name().compareTo(b.name()))
      .forEach(room -> list.add(new JsonObject()
        .put("room", room.name())
        .put("participants", room.size())
        .put("publishers", room.publishers().size())
        .put("viewers", room.viewers().size())));
    return list;
  }

  /** Admin view of one room, or null when it has nobody in it. */
  public JsonObject describeRoom(String roomName) {
    Room room = rooms.get(roomName);
    if (room == null) {
      return null;
    }
    JsonArray participants = new JsonArray();
    for (Participant p : List.copyOf(room.visibleTo(Role.PUBLISHER, null))) {
      participants.add(p.peerObject().put("node", p.nodeId()));
    }
    return new JsonObject().put("room", room.name()).put("participants", participants);
  }
}
