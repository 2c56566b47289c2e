package io.switchboard.signaling.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The authoritative members of one room, the value of the {@code switchboard.rooms} map. Changed only inside
 * entry processors, which Hazelcast runs one at a time per key on the partition that owns it: that is what
 * makes the room limit and identity replacement atomic across nodes.
 *
 * <p>{@code epoch} is chosen when the room is created; {@code version} grows by one with every change. Nodes
 * apply presence deltas in version order and notice a lost one as a gap.
 */
final class RoomRecord {

  final long epoch;
  long version;
  final Map<String, MemberRecord> members = new LinkedHashMap<>();

  RoomRecord(long epoch) {
    this.epoch = epoch;
  }

  MemberRecord byIdentity(String identity) {
    for (MemberRecord m : members.values()) {
      if (m.identity().equals(identity)) {
        return m;
      }
    }
    return null;
  }

  List<MemberRecord> snapshot() {
    return new ArrayList<>(members.values());
  }

  /** Nodes holding at least one member: who must hear of a change. */
  Set<String> nodes() {
    Set<String> nodes = new TreeSet<>();
    members.values().forEach(m -> nodes.add(m.node()));
    return nodes;
  }
}
