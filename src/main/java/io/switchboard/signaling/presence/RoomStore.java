package io.switchboard.signaling.presence;

import io.vertx.core.Future;

import java.util.List;
import java.util.SortedMap;

/**
 * Where the truth about rooms lives. A single node keeps it in memory ({@link LocalRoomStore}); a cluster in a
 * Hazelcast map ({@code HazelcastRoomStore}). The presence engine is the same over both: the choice is made
 * once, at start-up. Every future completes on the presence verticle's context.
 */
public interface RoomStore {

  /** Runs {@code operation} atomically on one room's record. */
  Future<RoomChange> apply(String room, RoomOperation operation);

  /** Runs {@code operation} on every room; returns the changes that used a version or have grace periods. */
  Future<List<RoomChange>> applyToAll(RoomOperation operation);

  /** A copy of one room's record, or null when it has no members. */
  Future<RoomRecord> read(String room);

  /** Copies of every room's record, by name. */
  Future<SortedMap<String, RoomRecord>> readAll();
}
