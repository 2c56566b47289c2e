package io.switchboard.signaling.cluster;

import io.switchboard.signaling.room.Room;

import java.util.ArrayDeque;
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
  /** Frames from other nodes waiting for their sender's join to be applied; beyond these they are dropped. */
  static final int MAX_PARKED = 256;
  static final int MAX_PARKED_CHARS = 1 << 20;
  static final long UNKNOWN = -1;

  final Room room;
  long epoch = UNKNOWN;
  long version = UNKNOWN;
  /** Deltas that arrived ahead of their turn, by version. */
  final TreeMap<Long, RoomChange> buffered = new TreeMap<>();
  /** Local session id → the version at which it was admitted: it already knows everything up to there. */
  final Map<String, Long> admittedAt = new HashMap<>();
  /** Frames from senders this replica does not know yet but a buffered delta adds, in arrival order. */
  final ArrayDeque<FrameEnvelope> parked = new ArrayDeque<>();
  int parkedChars;
  int pendingJoins;
  boolean resyncScheduled;

  RoomReplica(String name) {
    this.room = new Room(name);
  }

  boolean initialized() {
    return epoch != UNKNOWN;
  }

  /** A buffered delta says that {@code node} added session {@code id}: its frames may wait for it. */
  boolean expects(String id, String node) {
    for (RoomChange change : buffered.values()) {
      for (MemberRecord joined : change.joined()) {
        if (joined.id().equals(id) && joined.node().equals(node)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Nothing local left and nothing on its way: the replica can go. */
  boolean unused() {
    return admittedAt.isEmpty() && pendingJoins == 0;
  }
}
