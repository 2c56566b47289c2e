package io.switchboard.signaling.cluster;

import io.switchboard.signaling.room.Room;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * This node's copy of a room it holds sessions in: the {@link Room} the edges route through (local sessions
 * and {@link RemoteEndpoint}s for the rest), and where that copy stands in the room's change sequence.
 * Presence thread only, except the {@link Room}'s member maps, which edges read.
 */
final class RoomReplica {

  /** Deltas waiting for a missing earlier one; beyond this the replica re-reads the room instead. */
  static final int MAX_BUFFERED = 1024;
  static final long UNKNOWN = -1;

  final Room room;
  long epoch = UNKNOWN;
  long version = UNKNOWN;
  /** Deltas that arrived ahead of their turn, by version. */
  final TreeMap<Long, RoomChange> buffered = new TreeMap<>();
  /** Local session id → the version at which it was admitted: it already knows everything up to there. */
  final Map<String, Long> admittedAt = new HashMap<>();
  int pendingJoins;
  boolean resyncScheduled;

  RoomReplica(String name) {
    this.room = new Room(name);
  }

  boolean initialized() {
    return epoch != UNKNOWN;
  }

  /** Nothing local left and nothing on its way: the replica can go. */
  boolean unused() {
    return admittedAt.isEmpty() && pendingJoins == 0;
  }
}
