package io.switchboard.signaling.presence.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.switchboard.cluster.HazelcastFutures;
import io.switchboard.cluster.HazelcastSetup;
import io.switchboard.signaling.presence.RoomChange;
import io.switchboard.signaling.presence.RoomOperation;
import io.switchboard.signaling.presence.RoomRecord;
import io.switchboard.signaling.presence.RoomStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Rooms of a cluster: the {@code switchboard.rooms} map, one {@link RoomRecord} per room. Operations are entry
 * processors on the partition that owns the room, which is what makes the room limit, replacement and resume
 * hold cluster-wide. Operations over every room iterate the whole map and run on a worker thread.
 */
public final class HazelcastRoomStore implements RoomStore {

  private final Vertx vertx;
  private final IMap<String, RoomRecord> rooms;

  public HazelcastRoomStore(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.rooms = hazelcast.getMap(HazelcastSetup.ROOMS_MAP);
  }

  @Override
  public Future<RoomChange> apply(String room, RoomOperation operation) {
    return HazelcastFutures.on(rooms.submitToKey(room, new RoomOperationProcessor(operation)), context());
  }

  @Override
  public Future<List<RoomChange>> applyToAll(RoomOperation operation) {
    return context().executeBlocking(() -> {
      List<RoomChange> changes = new ArrayList<>();
      for (RoomChange change : rooms.executeOnEntries(new RoomOperationProcessor(operation)).values()) {
        if (change.changed() || !change.graceEnds().isEmpty()) {
          changes.add(change);
        }
      }
      return changes;
    });
  }

  @Override
  public Future<RoomRecord> read(String room) {
    return HazelcastFutures.on(rooms.getAsync(room), context());
  }

  @Override
  public Future<SortedMap<String, RoomRecord>> readAll() {
    return context().executeBlocking(() -> new TreeMap<>(Map.copyOf(rooms)));
  }

  /** The caller's context: the presence verticle's, since only presence uses the store. */
  private Context context() {
    return vertx.getOrCreateContext();
  }
}
