package io.switchboard.signaling.presence;

import io.switchboard.config.SwitchboardConfig.DuplicateIdentity;
import io.switchboard.signaling.presence.RoomChange.Departure;
import io.switchboard.signaling.presence.RoomChange.Refusal;
import io.switchboard.signaling.room.LeaveReason;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("RoomOperations: the presence rules, as plain operations on a room record")
class RoomOperationsTest {

  private static final long NOW = 1_000_000;
  private static final long GRACE = 20_000;

  /** One room's record, as a store hands it to an operation; set(null) deletes. */
  private static final class Entry implements RoomOperation.RoomEntry {
    RoomRecord value;

    @Override
    public String room() {
      return "room-a";
    }

    @Override
    public RoomRecord value() {
      return value;
    }

    @Override
    public void set(RoomRecord record) {
      value = record;
    }

    Set<String> ids() {
      return value == null ? Set.of() : value.seats().stream().map(Seat::id).collect(Collectors.toSet());
    }

    Seat seat(String id) {
      return value.seats().stream().filter(s -> s.id().equals(id)).findFirst().orElse(null);
    }

    RoomChange run(RoomOperation operation) {
      return operation.apply(this);
    }
  }

  private static MemberRecord member(String id, String identity, String node) {
    return new MemberRecord(id, identity, identity, "publisher", "{}", node);
  }

  private static RoomChange admit(Entry entry, String id, String identity, String node, int limit) {
    return entry.run(new RoomOperations.Join(Seat.connected(member(id, identity, node), "hash-" + id), limit,
      DuplicateIdentity.REPLACE, 42));
  }

  private static RoomChange admit(Entry entry, String id, String identity, String node) {
    return admit(entry, id, identity, node, 10);
  }

  private static List<String> leftIds(RoomChange change) {
    return change.left().stream().map(d -> d.member().id()).toList();
  }

  @Nested
  @DisplayName("join, leave, kick")
  class Membership {

    @Test
    @DisplayName("join creates the room with the caller's epoch, counts versions and names the nodes to notify")
    void join() {
      Entry entry = new Entry();
      RoomChange first = admit(entry, "s1", "alice", "n1");
      assertEquals(42, first.epoch());
      assertEquals(1, first.version());
      assertEquals(Set.of("n1"), first.audience());
      RoomChange second = admit(entry, "s2", "bob", "n2");
      assertEquals(2, second.version());
      assertEquals(Set.of("n1", "n2"), second.audience());
      assertEquals(List.of("s1", "s2"), second.snapshot().stream().map(MemberRecord::id).toList());
    }

    @Test
    @DisplayName("a full room refuses a newcomer without using a version, but admits a replacement")
    void limit() {
      Entry entry = new Entry();
      admit(entry, "s1", "alice", "n1", 2);
      admit(entry, "s2", "bob", "n2", 2);
      RoomChange refused = admit(entry, "s3", "carol", "n3", 2);
      assertEquals(Refusal.ROOM_FULL, refused.refusal());
      assertEquals(2, entry.value.version());
      RoomChange replaced = admit(entry, "s4", "alice", "n3", 2);
      assertFalse(replaced.refused());
      assertEquals(List.of(new Departure(member("s1", "alice", "n1"), LeaveReason.REPLACED)), replaced.left());
      assertEquals(Set.of("n1", "n2", "n3"), replaced.audience(), "the replaced session's node must hear of it");
      assertEquals(Set.of("s2", "s4"), entry.ids());
    }

    @Test
    @DisplayName("with duplicateIdentity reject, a connected identity refuses the newcomer; nothing changes")
    void reject() {
      Entry entry = new Entry();
      admit(entry, "s1", "alice", "n1");
      RoomChange refused = entry.run(new RoomOperations.Join(Seat.connected(member("s2", "alice", "n2"), "h"), 10,
        DuplicateIdentity.REJECT, 42));
      assertEquals(Refusal.IDENTITY_TAKEN, refused.refusal());
      assertEquals(Set.of("s1"), entry.ids());
      assertEquals(1, entry.value.version());
    }

    @Test
    @DisplayName("remove is idempotent, only the holder's remove counts, and the last one out deletes the room")
    void remove() {
      Entry entry = new Entry();
      admit(entry, "s1", "alice", "n1");
      assertFalse(entry.run(new RoomOperations.Remove("s1", LeaveReason.LEFT, "n2")).changed(),
        "a node that does not hold the session cannot remove it as its own");
      admit(entry, "s2", "bob", "n2");
      assertFalse(entry.run(new RoomOperations.Remove("s2", LeaveReason.LEFT, "n2")).emptied(), "alice is still in");
      RoomChange removed = entry.run(new RoomOperations.Remove("s1", LeaveReason.LEFT, "n1"));
      assertTrue(removed.changed());
      assertEquals(Set.of("n1"), removed.audience());
      assertNull(entry.value, "an empty room is deleted");
      assertTrue(removed.emptied(), "the change says so (webhooks' room_finished)");
      assertFalse(entry.run(new RoomOperations.Remove("s1", LeaveReason.LEFT, null)).changed());
    }

    @Test
    @DisplayName("reassert puts back what a node holds and drops entries naming it that it does not hold")
    void reassert() {
      Entry entry = new Entry();
      admit(entry, "s1", "alice", "n1");
      admit(entry, "ghost", "gus", "n2");
      Seat bob = Seat.connected(member("s2", "bob", "n2"), null);
      RoomChange change = entry.run(new RoomOperations.Reassert("n2", List.of(bob), Set.of("s2"), 7));
      assertEquals(List.of("ghost"), leftIds(change));
      assertEquals(List.of("s2"), change.joined().stream().map(MemberRecord::id).toList());
      assertEquals(Set.of("s1", "s2"), entry.ids());
      assertFalse(entry.run(new RoomOperations.Reassert("n2", List.of(bob), Set.of("s2"), 7)).changed(),
        "a second identical reassert changes nothing");
    }
  }

  @Nested
  @DisplayName("grace period and resume")
  class Resume {

    private Entry suspended() {
      Entry entry = new Entry();
      admit(entry, "s1", "alice", "n1");
      admit(entry, "s2", "bob", "n2");
      RoomChange suspend = entry.run(new RoomOperations.Suspend("s1", "n1", LeaveReason.DISCONNECTED, NOW + GRACE));
      assertFalse(suspend.changed(), "nobody is told of a suspended session: no version is used");
      assertEquals(Map.of("s1", NOW + GRACE), suspend.graceEnds());
      return entry;
    }

    @Test
    @DisplayName("a suspended member stays in the room, waiting; only its holder can suspend it")
    void suspend() {
      Entry entry = suspended();
      assertTrue(entry.seat("s1").inGrace());
      assertEquals(2, entry.value.version());
      assertEquals(Refusal.UNKNOWN_SESSION,
        entry.run(new RoomOperations.Suspend("s2", "n1", LeaveReason.DISCONNECTED, NOW)).refusal());
    }

    @Test
    @DisplayName("a resume with the current token moves the member to the new node, connected, with a new token")
    void resume() {
      Entry entry = suspended();
      RoomChange resumed = entry.run(new RoomOperations.Resume("s1", "alice", "hash-s1", "n3", "new", NOW + 1));
      assertFalse(resumed.refused());
      assertEquals(List.of(new RoomChange.Moved(member("s1", "alice", "n3"), "n1")), resumed.moved());
      assertEquals(List.of(), resumed.left());
      assertEquals(List.of(), resumed.joined());
      assertEquals(Set.of("n1", "n2", "n3"), resumed.audience(), "the previous node hands over: it must hear");
      Seat seat = entry.seat("s1");
      assertFalse(seat.inGrace());
      assertEquals("n3", seat.node());
      assertEquals(Refusal.UNKNOWN_SESSION, entry.run(new RoomOperations.Resume("s1", "alice", "hash-s1", "n2", "x",
        NOW + 2)).refusal(), "a token works once");
    }

    @Test
    @DisplayName("a connected session can be resumed too (its old connection dropped unnoticed)")
    void resumeConnected() {
      Entry entry = new Entry();
      admit(entry, "s1", "alice", "n1");
      RoomChange resumed = entry.run(new RoomOperations.Resume("s1", "alice", "hash-s1", "n2", "new", NOW));
      assertEquals("n1", resumed.moved().get(0).from());
    }

    @Test
    @DisplayName("a wrong token, another identity's token, or an unknown session is refused and changes nothing")
    void refusals() {
      Entry entry = suspended();
      assertEquals(Refusal.UNKNOWN_SESSION,
        entry.run(new RoomOperations.Resume("s1", "alice", "forged", "n3", "x", NOW)).refusal());
      assertEquals(Refusal.OTHER_IDENTITY,
        entry.run(new RoomOperations.Resume("s1", "mallory", "hash-s1", "n3", "x", NOW)).refusal());
      assertEquals(Refusal.UNKNOWN_SESSION,
        entry.run(new RoomOperations.Resume("nobody", "alice", "hash-s1", "n3", "x", NOW)).refusal());
      assertTrue(entry.seat("s1").inGrace(), "the session still waits for its real client");
      assertEquals(2, entry.value.version());
    }

    @Test
    @DisplayName("after an overflow the resume is refused and the member leaves, disconnected")
    void overflow() {
      Entry entry = suspended();
      entry.run(new RoomOperations.MarkOverflow("s1"));
      RoomChange refused = entry.run(new RoomOperations.Resume("s1", "alice", "hash-s1", "n3", "x", NOW));
      assertEquals(Refusal.OVERFLOWED, refused.refusal());
      assertTrue(refused.changed(), "the removal is a change the others must see");
      assertEquals(List.of(new Departure(member("s1", "alice", "n1"), LeaveReason.DISCONNECTED)), refused.left());
      assertEquals(Set.of("s2"), entry.ids());
    }

    @Test
    @DisplayName("a resume after the end of the grace period is refused and the member leaves with its reason")
    void expiredResume() {
      Entry entry = suspended();
      RoomChange refused = entry.run(new RoomOperations.Resume("s1", "alice", "hash-s1", "n3", "x", NOW + GRACE));
      assertEquals(Refusal.EXPIRED, refused.refusal());
      assertEquals(List.of("s1"), leftIds(refused));
    }

    @Test
    @DisplayName("expire removes the member when its grace period is over, and returns the end when it is not")
    void expire() {
      Entry entry = suspended();
      RoomChange early = entry.run(new RoomOperations.Expire("s1", NOW + GRACE - 5));
      assertFalse(early.changed());
      assertEquals(Map.of("s1", NOW + GRACE), early.graceEnds(), "to be timed again");
      RoomChange due = entry.run(new RoomOperations.Expire("s1", NOW + GRACE));
      assertEquals(List.of(new Departure(member("s1", "alice", "n1"), LeaveReason.DISCONNECTED)), due.left());
      assertFalse(entry.run(new RoomOperations.Expire("s2", NOW + GRACE)).changed(), "a connected member stays");
      assertFalse(entry.run(new RoomOperations.Expire("s2", NOW + GRACE)).refused(), "and is not unknown");
      assertEquals(Refusal.UNKNOWN_SESSION, entry.run(new RoomOperations.Expire("s1", NOW + GRACE)).refusal(),
        "a session no longer in the room is unknown");
    }

    @Test
    @DisplayName("a new join of the identity displaces its member in grace, announced as disconnected, not replaced")
    void displaced() {
      Entry entry = suspended();
      RoomChange change = entry.run(new RoomOperations.Join(Seat.connected(member("s9", "alice", "n2"), "h"), 10,
        DuplicateIdentity.REJECT, 42));
      assertFalse(change.refused(), "reject applies to a connected session only");
      assertEquals(List.of(new Departure(member("s1", "alice", "n1"), LeaveReason.DISCONNECTED)), change.left());
    }
  }

  @Nested
  @DisplayName("lost nodes")
  class LostNodes {

    @Test
    @DisplayName("purge puts a lost node's members in their grace period and returns when it ends")
    void purge() {
      Entry entry = new Entry();
      admit(entry, "s1", "alice", "n1");
      admit(entry, "s2", "bob", "n2");
      admit(entry, "s3", "dave", "n2");
      RoomChange purged = entry.run(new RoomOperations.Purge(Set.of("n1"), NOW, GRACE));
      assertFalse(purged.changed(), "nobody is told yet");
      assertEquals(Map.of("s2", NOW + GRACE, "s3", NOW + GRACE), purged.graceEnds());
      assertEquals(LeaveReason.NODE_LOST, entry.seat("s2").graceReason());
      RoomChange again = entry.run(new RoomOperations.Purge(Set.of("n1"), NOW + 5, GRACE));
      assertEquals(Map.of("s2", NOW + GRACE, "s3", NOW + GRACE), again.graceEnds(), "a second purge keeps the end");
      RoomChange expired = entry.run(new RoomOperations.Purge(Set.of("n1"), NOW + GRACE, GRACE));
      assertEquals(Set.of("s2", "s3"), Set.copyOf(leftIds(expired)));
      assertTrue(expired.left().stream().allMatch(d -> d.reason() == LeaveReason.NODE_LOST));
      assertEquals(Set.of("s1"), entry.ids());
    }

    @Test
    @DisplayName("without a grace period, purge removes a lost node's members at once, as node-lost")
    void purgeWithoutGrace() {
      Entry entry = new Entry();
      admit(entry, "s1", "alice", "n1");
      admit(entry, "s2", "bob", "n2");
      RoomChange purged = entry.run(new RoomOperations.Purge(Set.of("n1"), NOW, 0));
      assertEquals(List.of(new Departure(member("s2", "bob", "n2"), LeaveReason.NODE_LOST)), purged.left());
    }

    @Test
    @DisplayName("an orphan can be resumed on a surviving node")
    void resumeOrphan() {
      Entry entry = new Entry();
      admit(entry, "s1", "alice", "n1");
      entry.run(new RoomOperations.Purge(Set.of("n2"), NOW, GRACE));
      RoomChange resumed = entry.run(new RoomOperations.Resume("s1", "alice", "hash-s1", "n2", "x", NOW + 10));
      assertEquals("n1", resumed.moved().get(0).from());
      assertFalse(entry.seat("s1").inGrace());
    }
  }

  @Test
  @DisplayName("operations are deterministic, so a backup replica ends in the same state")
  void deterministic() {
    Entry primary = new Entry();
    Entry backup = new Entry();
    for (Entry e : List.of(primary, backup)) {
      admit(e, "s1", "alice", "n1");
      admit(e, "s2", "alice", "n2");
      admit(e, "s3", "bob", "n3");
      e.run(new RoomOperations.Suspend("s3", "n3", LeaveReason.DISCONNECTED, NOW + GRACE));
      e.run(new RoomOperations.Purge(Set.of("n2"), NOW, GRACE));
    }
    assertEquals(primary.value.epoch(), backup.value.epoch());
    assertEquals(primary.value.version(), backup.value.version());
    assertEquals(List.copyOf(primary.value.seats()), List.copyOf(backup.value.seats()));
    assertEquals(Set.of("s2", "s3"), primary.ids());
  }

  @Test
  @DisplayName("a refused operation leaves the record exactly as it was")
  void refusalChangesNothing() {
    Entry entry = new Entry();
    admit(entry, "s1", "alice", "n1", 1);
    List<Seat> before = List.copyOf(entry.value.seats());
    admit(entry, "s2", "bob", "n2", 1);
    entry.run(new RoomOperations.Resume("s1", "alice", "wrong", "n2", "x", NOW));
    entry.run(new RoomOperations.Suspend("s1", "n2", LeaveReason.DISCONNECTED, NOW));
    assertEquals(before, List.copyOf(entry.value.seats()));
    assertEquals(1, entry.value.version());
  }
}
