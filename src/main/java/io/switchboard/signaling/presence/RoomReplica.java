package io.switchboard.signaling.presence;

import io.switchboard.signaling.room.Room;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * This node's copy of a room it holds sessions in: the {@link Room} the edges route through (local sessions,
 * and an endpoint for each other member), and where that copy stands in the room's change sequence. Presence
 * thread only, except the {@link Room}'s member maps, which edges read.
 */
final class RoomReplica {

  /** Frames from other nodes waiting for their sender's join to be applied; beyond these they are dropped. */
  static final int MAX_PARKED = 256;
  static final int MAX_PARKED_CHARS = 1 << 20;

  final Room room;
  final DeltaSequencer sequencer = new DeltaSequencer();
  /** Local session id → the version at which it was admitted: it already knows everything up to there. */
  final Map<String, Long> admittedAt = new HashMap<>();
  /** Frames from senders this replica does not know yet but a held delta adds, in arrival order. */
  final ArrayDeque<FrameEnvelope> parked = new ArrayDeque<>();
  int parkedChars;
  int pendingJoins;
  boolean resyncScheduled;

  RoomReplica(String name) {
    this.room = new Room(name);
  }

  /** Nothing local left and nothing on its way: the replica can go. */
  boolean unused() {
    return admittedAt.isEmpty() && pendingJoins == 0;
  }
}
