package io.switchboard.signaling.presence;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Rooms of a node that is not clustered: a map owned by the presence verticle's event loop, so operations run
 * at once, in order, without locks. Presence works exactly as in a cluster of one.
 */
public final class LocalRoomStore implements RoomStore {

  private final Map<String, RoomRecord> rooms = new HashMap<>();

  @Override
  public Future<RoomChange> apply(String room, RoomOperation operation) {
    try {
      return Future.succeededFuture(operation.apply(new Entry(room)));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<List<RoomChange>> applyToAll(RoomOperation operation) {
    List<RoomChange> changes = new ArrayList<>();
    for (String room : List.copyOf(rooms.keySet())) {
      RoomChange change = operation.apply(new Entry(room));
      if (change.changed() || !change.graceEnds().isEmpty()) {
        changes.add(change);
      }
    }
    return Future.succeededFuture(changes);
  }

  @Override
  public Future<RoomRecord> read(String room) {
    RoomRecord record = rooms.get(room);
    return Future.succeededFuture(record == null ? null : record.copy());
  }

  @Override
  public Future<SortedMap<String, RoomRecord>> readAll() {
    SortedMap<String, RoomRecord> copies = new TreeMap<>();
    rooms.forEach((name, record) -> copies.put(name, record.copy()));
    return Future.succeededFuture(copies);
  }

  private final class Entry implements RoomOperation.RoomEntry {

    private final String room;

    Entry(String room) {
      this.room = room;
    }

    @Override
    public String room() {
      return room;
    }

    @Override
    public RoomRecord value() {
      return rooms.get(room);
    }

    @Override
    public void set(RoomRecord record) {
      if (record == null) {
        rooms.remove(room);
      } else {
        rooms.put(room, record);
      }
    }
  }
}
