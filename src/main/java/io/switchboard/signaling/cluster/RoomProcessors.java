package io.switchboard.signaling.cluster;

import com.hazelcast.map.EntryProcessor;
import io.switchboard.signaling.room.LeaveReason;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The only code that changes a {@link RoomRecord}. Each runs atomically on the partition owning the room and
 * again on its backup, so each is deterministic: anything random (a new room's epoch) comes from the caller.
 */
final class RoomProcessors {

  private RoomProcessors() {
  }

  /** Admits a member: replaces the same identity, else refuses when the room is at its limit. */
  record Join(MemberRecord newcomer, int limit, long epochIfNew)
    implements EntryProcessor<String, RoomRecord, RoomChange> {

    @Override
    public RoomChange process(Map.Entry<String, RoomRecord> entry) {
      RoomRecord room = entry.getValue() != null ? entry.getValue() : new RoomRecord(epochIfNew);
      Set<String> before = room.nodes();
      MemberRecord previous = room.byIdentity(newcomer.identity());
      if (previous == null && room.members.size() >= limit) {
        return RoomChange.refused(entry.getKey());
      }
      List<MemberRecord> left = new ArrayList<>();
      if (previous != null) {
        room.members.remove(previous.id());
        left.add(previous);
      }
      room.members.put(newcomer.id(), newcomer);
      return commit(entry, room, before, LeaveReason.REPLACED, left, List.of(newcomer), room.snapshot());
    }
  }

  /** Removes one member (leave, disconnect, kick). */
  record Remove(String sessionId, LeaveReason reason) implements EntryProcessor<String, RoomRecord, RoomChange> {

    @Override
    public RoomChange process(Map.Entry<String, RoomRecord> entry) {
      RoomRecord room = entry.getValue();
      if (room == null || !room.members.containsKey(sessionId)) {
        return RoomChange.unchanged(entry.getKey());
      }
      Set<String> before = room.nodes();
      MemberRecord removed = room.members.remove(sessionId);
      return commit(entry, room, before, reason, List.of(removed), List.of(), null);
    }
  }

  /** Removes every member held by a node that is no longer in the cluster. */
  record Purge(Set<String> liveNodes) implements EntryProcessor<String, RoomRecord, RoomChange> {

    @Override
    public RoomChange process(Map.Entry<String, RoomRecord> entry) {
      RoomRecord room = entry.getValue();
      if (room == null) {
        return RoomChange.unchanged(entry.getKey());
      }
      Set<String> before = room.nodes();
      List<MemberRecord> left = new ArrayList<>();
      room.members.values().removeIf(m -> {
        boolean dead = !liveNodes.contains(m.node());
        if (dead) {
          left.add(m);
        }
        return dead;
      });
      return left.isEmpty() ? RoomChange.unchanged(entry.getKey())
        : commit(entry, room, before, LeaveReason.NODE_LOST, left, List.of(), null);
    }
  }

  /**
   * A node re-asserts what it really holds (after a partition heals or a member joins): its sessions missing
   * from the room are added back; entries naming this node whose session it does not hold are dropped.
   *
   * @param held this node's admitted sessions in this room (empty when run over every room)
   * @param keep every session id this node holds or is admitting, in any room
   */
  record Reassert(String node, List<MemberRecord> held, Set<String> keep, long epochIfNew)
    implements EntryProcessor<String, RoomRecord, RoomChange> {

    @Override
    public RoomChange process(Map.Entry<String, RoomRecord> entry) {
      if (entry.getValue() == null && held.isEmpty()) {
        return RoomChange.unchanged(entry.getKey());
      }
      RoomRecord room = entry.getValue() != null ? entry.getValue() : new RoomRecord(epochIfNew);
      Set<String> before = room.nodes();
      List<MemberRecord> left = new ArrayList<>();
      room.members.values().removeIf(m -> {
        boolean stale = m.node().equals(node) && !keep.contains(m.id());
        if (stale) {
          left.add(m);
        }
        return stale;
      });
      List<MemberRecord> joined = new ArrayList<>();
      for (MemberRecord m : held) {
        if (!room.members.containsKey(m.id())) {
          room.members.put(m.id(), m);
          joined.add(m);
        }
      }
      return left.isEmpty() && joined.isEmpty() ? RoomChange.unchanged(entry.getKey())
        : commit(entry, room, before, LeaveReason.DISCONNECTED, left, joined, null);
    }
  }

  private static RoomChange commit(Map.Entry<String, RoomRecord> entry, RoomRecord room, Set<String> before,
                                   LeaveReason reason, List<MemberRecord> left, List<MemberRecord> joined,
                                   List<MemberRecord> snapshot) {
    room.version++;
    Set<String> audience = new TreeSet<>(before);
    audience.addAll(room.nodes());
    // an empty room is deleted; the next one of that name starts a new epoch
    entry.setValue(room.members.isEmpty() ? null : room);
    return new RoomChange(entry.getKey(), false, true, room.epoch, room.version, reason, List.copyOf(left),
      List.copyOf(joined), snapshot, audience);
  }
}
