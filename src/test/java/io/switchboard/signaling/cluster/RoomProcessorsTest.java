package io.switchboard.signaling.cluster;

import io.switchboard.signaling.room.LeaveReason;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.AbstractMap;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("RoomProcessors: the rules that run atomically on a room's partition")
class RoomProcessorsTest {

  /** A map entry as Hazelcast hands it to a processor; setValue(null) deletes. */
  private static final class Entry extends AbstractMap.SimpleEntry<String, RoomRecord> {
    Entry(RoomRecord value) {
      super("room-a", value);
    }
  }

  private static MemberRecord member(String id, String identity, String node) {
    return new MemberRecord(id, identity, identity, "publisher", "{}", node);
  }

  private static RoomChange join(Entry entry, MemberRecord m, int limit) {
    return new RoomProcessors.Join(m, limit, 42).process(entry);
  }

  @Test
  @DisplayName("join creates the room with the caller's epoch, counts versions and names the nodes to notify")
  void join() {
    Entry entry = new Entry(null);
    RoomChange first = join(entry, member("s1", "alice", "n1"), 10);
    assertEquals(42, first.epoch());
    assertEquals(1, first.version());
    assertEquals(Set.of("n1"), first.audience());
    RoomChange second = join(entry, member("s2", "bob", "n2"), 10);
    assertEquals(2, second.version());
    assertEquals(Set.of("n1", "n2"), second.audience());
    assertEquals(List.of("s1", "s2"), second.snapshot().stream().map(MemberRecord::id).toList());
  }

  @Test
  @DisplayName("a full room refuses a newcomer without using a version, but admits a replacement")
  void limit() {
    Entry entry = new Entry(null);
    join(entry, member("s1", "alice", "n1"), 2);
    join(entry, member("s2", "bob", "n2"), 2);
    RoomChange refused = join(entry, member("s3", "carol", "n3"), 2);
    assertTrue(refused.refused());
    assertEquals(2, entry.getValue().version);
    RoomChange replaced = join(entry, member("s4", "alice", "n3"), 2);
    assertFalse(replaced.refused());
    assertEquals(LeaveReason.REPLACED, replaced.reason());
    assertEquals(List.of("s1"), replaced.left().stream().map(MemberRecord::id).toList());
    assertEquals(Set.of("n1", "n2", "n3"), replaced.audience(), "the replaced session's node must hear of it");
    assertEquals(Set.of("s2", "s4"), entry.getValue().members.keySet());
  }

  @Test
  @DisplayName("remove is idempotent, and the last one out deletes the room")
  void remove() {
    Entry entry = new Entry(null);
    join(entry, member("s1", "alice", "n1"), 10);
    RoomChange removed = new RoomProcessors.Remove("s1", LeaveReason.LEFT).process(entry);
    assertTrue(removed.changed());
    assertEquals(Set.of("n1"), removed.audience());
    assertNull(entry.getValue(), "an empty room is deleted");
    assertFalse(new RoomProcessors.Remove("s1", LeaveReason.LEFT).process(entry).changed());
  }

  @Test
  @DisplayName("purge removes the members of nodes that are gone, as node-lost")
  void purge() {
    Entry entry = new Entry(null);
    join(entry, member("s1", "alice", "n1"), 10);
    join(entry, member("s2", "bob", "n2"), 10);
    join(entry, member("s3", "dave", "n2"), 10);
    RoomChange purged = new RoomProcessors.Purge(Set.of("n1")).process(entry);
    assertEquals(LeaveReason.NODE_LOST, purged.reason());
    assertEquals(Set.of("s2", "s3"), Set.copyOf(purged.left().stream().map(MemberRecord::id).toList()));
    assertEquals(Set.of("s1"), entry.getValue().members.keySet());
    assertFalse(new RoomProcessors.Purge(Set.of("n1")).process(entry).changed(), "nothing left to purge");
  }

  @Test
  @DisplayName("reassert puts back what a node holds and drops entries naming it that it does not hold")
  void reassert() {
    Entry entry = new Entry(null);
    join(entry, member("s1", "alice", "n1"), 10);
    join(entry, member("ghost", "gus", "n2"), 10);
    MemberRecord bob = member("s2", "bob", "n2");
    RoomChange change = new RoomProcessors.Reassert("n2", List.of(bob), Set.of("s2"), 7).process(entry);
    assertEquals(List.of("ghost"), change.left().stream().map(MemberRecord::id).toList());
    assertEquals(List.of("s2"), change.joined().stream().map(MemberRecord::id).toList());
    assertEquals(Set.of("s1", "s2"), entry.getValue().members.keySet());
    assertFalse(new RoomProcessors.Reassert("n2", List.of(bob), Set.of("s2"), 7).process(entry).changed(),
      "a second identical reassert changes nothing");
  }

  @Test
  @DisplayName("processors are deterministic, so the backup replica ends in the same state")
  void deterministic() {
    Entry primary = new Entry(null);
    Entry backup = new Entry(null);
    for (Entry e : List.of(primary, backup)) {
      join(e, member("s1", "alice", "n1"), 10);
      join(e, member("s2", "alice", "n2"), 10);
      join(e, member("s3", "bob", "n3"), 10);
      new RoomProcessors.Purge(Set.of("n2")).process(e);
    }
    assertEquals(primary.getValue().epoch, backup.getValue().epoch);
    assertEquals(primary.getValue().version, backup.getValue().version);
    assertEquals(primary.getValue().members, backup.getValue().members);
    assertEquals(Set.of("s2"), primary.getValue().members.keySet());
  }

  @Test
  @DisplayName("a presence delta survives the trip through JSON")
  void deltaRoundTrip() {
    Entry entry = new Entry(null);
    join(entry, member("s1", "alice", "n1"), 10);
    RoomChange change = join(entry, member("s2", "alice", "n2"), 10);
    PresenceDelta delta = PresenceDelta.decode(PresenceDelta.encode("n2", change));
    assertEquals("n2", delta.sender());
    RoomChange decoded = delta.change();
    assertEquals(change.epoch(), decoded.epoch());
    assertEquals(change.version(), decoded.version());
    assertEquals(change.reason(), decoded.reason());
    assertEquals(change.left(), decoded.left());
    assertEquals(change.joined(), decoded.joined());
  }
}
