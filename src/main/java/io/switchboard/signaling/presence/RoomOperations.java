package io.switchboard.signaling.presence;

import io.switchboard.config.SwitchboardConfig.DuplicateIdentity;
import io.switchboard.signaling.presence.RoomChange.Departure;
import io.switchboard.signaling.presence.RoomChange.Moved;
import io.switchboard.signaling.presence.RoomChange.Refusal;
import io.switchboard.signaling.room.LeaveReason;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The presence rules: every change a room's record can undergo. Each is a {@link RoomOperation}, run atomically
 * by whichever {@link RoomStore} the node uses.
 */
public final class RoomOperations {

  private RoomOperations() {
  }

  /**
   * Admits a member. The same identity already in the room is replaced (or, with {@code reject}, the newcomer is
   * refused); one in its grace period is displaced either way, announced as disconnected. Otherwise a room at its
   * limit refuses the newcomer; a replacement is admitted even into a full room.
   */
  public record Join(Seat newcomer, int limit, DuplicateIdentity policy, long epochIfNew) implements RoomOperation {

    @Override
    public RoomChange apply(RoomEntry entry) {
      RoomRecord room = entry.value() != null ? entry.value() : new RoomRecord(epochIfNew);
      Seat previous = room.byIdentity(newcomer.member().identity());
      if (previous != null && !previous.inGrace() && policy == DuplicateIdentity.REJECT) {
        return RoomChange.refused(entry.room(), Refusal.IDENTITY_TAKEN);
      }
      if (previous == null && room.seats.size() >= limit) {
        return RoomChange.refused(entry.room(), Refusal.ROOM_FULL);
      }
      Commit commit = new Commit(entry, room);
      if (previous != null) {
        commit.remove(previous, previous.inGrace() ? LeaveReason.DISCONNECTED : LeaveReason.REPLACED);
      }
      commit.add(newcomer);
      return commit.done(true, Map.of());
    }
  }

  /** Removes one member (leave, disconnect, kick). {@code heldBy}: only if that node holds it; null: any. */
  public record Remove(String sessionId, LeaveReason reason, String heldBy) implements RoomOperation {

    @Override
    public RoomChange apply(RoomEntry entry) {
      RoomRecord room = entry.value();
      Seat seat = room == null ? null : room.seats.get(sessionId);
      if (seat == null || heldBy != null && !seat.node().equals(heldBy)) {
        return RoomChange.unchanged(entry.room());
      }
      Commit commit = new Commit(entry, room);
      commit.remove(seat, reason);
      return commit.done(false, Map.of());
    }
  }

  /**
   * A session's connection is gone: its member stays, in its grace period until {@code until}. Nobody is told,
   * so no version is used.
   */
  public record Suspend(String sessionId, String heldBy, LeaveReason reason, long until) implements RoomOperation {

    @Override
    public RoomChange apply(RoomEntry entry) {
      RoomRecord room = entry.value();
      Seat seat = room == null ? null : room.seats.get(sessionId);
      if (seat == null || !seat.node().equals(heldBy)) {
        return RoomChange.refused(entry.room(), Refusal.UNKNOWN_SESSION);
      }
      room.seats.put(sessionId, seat.suspended(reason, until));
      entry.set(room);
      return RoomChange.quiet(entry.room(), Map.of(sessionId, until));
    }
  }

  /**
   * A client presents a resume token on {@code node}. Honoured when the session is in the room, the token is
   * its current one (each is used once: the session gets a new one), the identity is the same and nothing was
   * lost while it was away; the session then keeps its id and is held by {@code node}, and nobody is told. A
   * session whose frames overflowed, or whose grace period is over, is removed as the refusal is given.
   *
   * @param presentedHash SHA-256 of the presented token's secret (base64url)
   * @param newResumeHash the same for the token the resumed session gets
   */
  public record Resume(String sessionId, String identity, String presentedHash, String node, String newResumeHash,
                       long now) implements RoomOperation {

    @Override
    public RoomChange apply(RoomEntry entry) {
      RoomRecord room = entry.value();
      Seat seat = room == null ? null : room.seats.get(sessionId);
      if (seat == null || !sameHash(seat.resumeHash(), presentedHash)) {
        return RoomChange.refused(entry.room(), Refusal.UNKNOWN_SESSION);
      }
      if (!seat.member().identity().equals(identity)) {
        return RoomChange.refused(entry.room(), Refusal.OTHER_IDENTITY);
      }
      Commit commit = new Commit(entry, room);
      if (seat.overflowed()) {
        commit.remove(seat, LeaveReason.DISCONNECTED);
        return commit.done(false, Map.of()).refusedFor(Refusal.OVERFLOWED);
      }
      if (seat.inGrace() && seat.graceUntil() <= now) {
        commit.remove(seat, seat.graceReason());
        return commit.done(false, Map.of()).refusedFor(Refusal.EXPIRED);
      }
      commit.move(seat, seat.resumedOn(node, newResumeHash));
      return commit.done(true, Map.of());
    }

    private static boolean sameHash(String stored, String presented) {
      return stored != null && presented != null && MessageDigest.isEqual(stored.getBytes(StandardCharsets.US_ASCII),
        presented.getBytes(StandardCharsets.US_ASCII));
    }
  }

  /**
   * A grace period may be over: the member leaves, announced with the reason it went. Not yet over (a timer
   * that fired early, a clock behind another node's): the end is returned to be timed again. Resumed meanwhile:
   * nothing happens. Not in the room any more: refused ({@code UNKNOWN_SESSION}).
   */
  public record Expire(String sessionId, long now) implements RoomOperation {

    @Override
    public RoomChange apply(RoomEntry entry) {
      RoomRecord room = entry.value();
      Seat seat = room == null ? null : room.seats.get(sessionId);
      if (seat == null) {
        return RoomChange.refused(entry.room(), Refusal.UNKNOWN_SESSION);
      }
      if (!seat.inGrace()) {
        return RoomChange.unchanged(entry.room()); // resumed meanwhile
      }
      if (seat.graceUntil() > now) {
        return RoomChange.quiet(entry.room(), Map.of(sessionId, seat.graceUntil()));
      }
      Commit commit = new Commit(entry, room);
      commit.remove(seat, seat.graceReason());
      return commit.done(false, Map.of());
    }
  }

  /** Frames for a session in its grace period had to be dropped: it can no longer be resumed. */
  public record MarkOverflow(String sessionId) implements RoomOperation {

    @Override
    public RoomChange apply(RoomEntry entry) {
      RoomRecord room = entry.value();
      Seat seat = room == null ? null : room.seats.get(sessionId);
      if (seat == null || seat.overflowed()) {
        return RoomChange.unchanged(entry.room());
      }
      room.seats.put(sessionId, seat.withOverflow());
      entry.set(room);
      return RoomChange.unchanged(entry.room());
    }
  }

  /**
   * Members held by nodes no longer in the cluster enter their grace period (or leave at once when there is
   * none); those whose grace period is over leave. Returns the grace periods still running, for the caller to
   * time.
   */
  public record Purge(Set<String> liveNodes, long now, long graceMillis) implements RoomOperation {

    @Override
    public RoomChange apply(RoomEntry entry) {
      RoomRecord room = entry.value();
      if (room == null) {
        return RoomChange.unchanged(entry.room());
      }
      Commit commit = new Commit(entry, room);
      Map<String, Long> graceEnds = new HashMap<>();
      boolean suspended = false;
      for (Seat seat : List.copyOf(room.seats.values())) {
        if (liveNodes.contains(seat.node())) {
          continue;
        }
        if (!seat.inGrace() && graceMillis > 0) {
          room.seats.put(seat.id(), seat.suspended(LeaveReason.NODE_LOST, now + graceMillis));
          graceEnds.put(seat.id(), now + graceMillis);
          suspended = true;
        } else if (!seat.inGrace() || seat.graceUntil() <= now) {
          commit.remove(seat, seat.inGrace() ? seat.graceReason() : LeaveReason.NODE_LOST);
        } else {
          graceEnds.put(seat.id(), seat.graceUntil());
        }
      }
      if (commit.any()) {
        return commit.done(false, graceEnds);
      }
      if (suspended) {
        entry.set(room);
      }
      return RoomChange.quiet(entry.room(), graceEnds);
    }
  }

  /**
   * A node re-asserts what it really holds (after a partition heals, or when it finds itself missing): its
   * members missing from the room are added back; entries naming this node whose session it does not hold are
   * dropped.
   *
   * @param held this node's members in this room (empty when run over every room)
   * @param keep every session id this node holds or is admitting, in any room
   */
  public record Reassert(String node, List<Seat> held, Set<String> keep, long epochIfNew) implements RoomOperation {

    @Override
    public RoomChange apply(RoomEntry entry) {
      if (entry.value() == null && held.isEmpty()) {
        return RoomChange.unchanged(entry.room());
      }
      RoomRecord room = entry.value() != null ? entry.value() : new RoomRecord(epochIfNew);
      Commit commit = new Commit(entry, room);
      for (Seat seat : List.copyOf(room.seats.values())) {
        if (seat.node().equals(node) && !keep.contains(seat.id())) {
          commit.remove(seat, LeaveReason.DISCONNECTED);
        }
      }
      for (Seat seat : held) {
        if (!room.seats.containsKey(seat.id())) {
          commit.add(seat);
        }
      }
      return commit.any() ? commit.done(false, Map.of()) : RoomChange.unchanged(entry.room());
    }
  }

  /** Collects one operation's changes to a record and commits them under the next version. */
  private static final class Commit {

    private final RoomOperation.RoomEntry entry;
    private final RoomRecord room;
    private final Set<String> nodesBefore;
    private final List<Departure> left = new ArrayList<>();
    private final List<MemberRecord> joined = new ArrayList<>();
    private final List<Moved> moved = new ArrayList<>();

    Commit(RoomOperation.RoomEntry entry, RoomRecord room) {
      this.entry = entry;
      this.room = room;
      this.nodesBefore = room.nodes();
    }

    void remove(Seat seat, LeaveReason reason) {
      room.seats.remove(seat.id());
      left.add(new Departure(seat.member(), reason));
    }

    void add(Seat seat) {
      room.seats.put(seat.id(), seat);
      joined.add(seat.member());
    }

    void move(Seat before, Seat after) {
      room.seats.put(after.id(), after);
      moved.add(new Moved(after.member(), before.node()));
    }

    boolean any() {
      return !left.isEmpty() || !joined.isEmpty() || !moved.isEmpty();
    }

    RoomChange done(boolean withSnapshot, Map<String, Long> graceEnds) {
      room.version++;
      Set<String> audience = new TreeSet<>(nodesBefore);
      audience.addAll(room.nodes());
      entry.set(room.seats.isEmpty() ? null : room);
      return new RoomChange(entry.room(), true, null, room.epoch, room.version, List.copyOf(left),
        List.copyOf(joined), List.copyOf(moved), withSnapshot ? room.snapshot() : null, Set.copyOf(audience),
        Map.copyOf(graceEnds), room.seats.isEmpty());
    }
  }
}
