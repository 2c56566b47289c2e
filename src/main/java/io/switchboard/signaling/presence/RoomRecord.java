package io.switchboard.signaling.presence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The authoritative members of one room, the value a {@link RoomStore} keeps per room. Changed only by
 * {@link RoomOperations}, which a store runs one at a time per room: that is what makes the room limit, identity
 * replacement and resume atomic, on one node or across a cluster.
 *
 * <p>{@code epoch} is chosen when the room is created; {@code version} grows by one with every change the
 * replicas must see. Nodes apply presence deltas in version order and notice a lost one as a gap.
 */
public final class RoomRecord {

  final long epoch;
  long version;
  final Map<String, Seat> seats = new LinkedHashMap<>();

  public RoomRecord(long epoch) {
    this.epoch = epoch;
  }

  public long epoch() {
    return epoch;
  }

  public long version() {
    return version;
  }

  public Collection<Seat> seats() {
    return seats.values();
  }

  /** Restores a seat (deserialization and copies only; operations change seats through their own logic). */
  public void put(Seat seat) {
    seats.put(seat.id(), seat);
  }

  public void version(long version) {
    this.version = version;
  }

  Seat byIdentity(String identity) {
    for (Seat seat : seats.values()) {
      if (seat.member().identity().equals(identity)) {
        return seat;
      }
    }
    return null;
  }

  /** Every member, in admission order. */
  public List<MemberRecord> snapshot() {
    List<MemberRecord> members = new ArrayList<>(seats.size());
    seats.values().forEach(seat -> members.add(seat.member()));
    return members;
  }

  /** Nodes holding at least one member: who must hear of a change. */
  Set<String> nodes() {
    Set<String> nodes = new TreeSet<>();
    seats.values().forEach(seat -> nodes.add(seat.node()));
    return nodes;
  }

  RoomRecord copy() {
    RoomRecord copy = new RoomRecord(epoch);
    copy.version = version;
    copy.seats.putAll(seats);
    return copy;
  }
}
