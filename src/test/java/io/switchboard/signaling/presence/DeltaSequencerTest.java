package io.switchboard.signaling.presence;

import io.switchboard.signaling.presence.DeltaSequencer.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("DeltaSequencer: a replica applies a room's changes in version order")
class DeltaSequencerTest {

  private DeltaSequencer sequencer;

  private static RoomChange change(long epoch, long version) {
    return new RoomChange("room-a", true, null, epoch, version, List.of(), List.of(), List.of(), null, Set.of(),
      Map.of());
  }

  /** What a replica does: applies APPLY, then everything next() returns. Returns the versions applied. */
  private List<Long> offerAndApply(RoomChange change) {
    List<Long> applied = new ArrayList<>();
    if (sequencer.offer(change) == Verdict.APPLY) {
      sequencer.advance(change);
      applied.add(change.version());
      for (RoomChange next = sequencer.next(); next != null; next = sequencer.next()) {
        sequencer.advance(next);
        applied.add(next.version());
      }
    }
    return applied;
  }

  @BeforeEach
  void atVersionFive() {
    sequencer = new DeltaSequencer();
    sequencer.reset(7, 5);
  }

  @Test
  @DisplayName("the next version is applied at once")
  void inOrder() {
    assertEquals(List.of(6L), offerAndApply(change(7, 6)));
    assertEquals(List.of(7L), offerAndApply(change(7, 7)));
    assertEquals(7, sequencer.version());
  }

  @Test
  @DisplayName("a duplicate or an old version is stale")
  void duplicates() {
    assertEquals(Verdict.STALE, sequencer.offer(change(7, 5)));
    assertEquals(Verdict.STALE, sequencer.offer(change(7, 2)));
    offerAndApply(change(7, 6));
    assertEquals(Verdict.STALE, sequencer.offer(change(7, 6)));
  }

  @Test
  @DisplayName("a local result is covered by what was applied when its version is not newer, in the same epoch")
  void covers() {
    assertTrue(sequencer.covers(change(7, 5)));
    assertTrue(sequencer.covers(change(7, 3)));
    assertFalse(sequencer.covers(change(7, 6)), "the next one is not");
    assertFalse(sequencer.covers(change(8, 2)), "another epoch is not");
    assertFalse(new DeltaSequencer().covers(change(7, 1)), "nothing is covered before a starting point");
  }

  @Test
  @DisplayName("changes that come out of order wait for the gap to fill, then apply in order")
  void outOfOrder() {
    assertEquals(Verdict.GAP, sequencer.offer(change(7, 8)));
    assertEquals(Verdict.GAP, sequencer.offer(change(7, 7)));
    assertTrue(sequencer.gapOpen());
    assertTrue(sequencer.holding());
    assertEquals(List.of(6L, 7L, 8L), offerAndApply(change(7, 6)));
    assertFalse(sequencer.gapOpen());
    assertFalse(sequencer.holding());
  }

  @Test
  @DisplayName("a change of another epoch means the room was recreated: re-read it")
  void otherEpoch() {
    assertEquals(Verdict.RESYNC, sequencer.offer(change(8, 6)));
  }

  @Test
  @DisplayName("after a snapshot, held changes it covers are dropped and the rest follow")
  void snapshot() {
    sequencer.offer(change(7, 7));
    sequencer.offer(change(7, 9));
    sequencer.reset(7, 8); // a re-read of the room at version 8
    assertEquals(9, sequencer.next().version());
    sequencer.advance(change(7, 9));
    assertNull(sequencer.next());
  }

  @Test
  @DisplayName("a snapshot of a new epoch drops everything held from the old one")
  void snapshotOfNewEpoch() {
    sequencer.offer(change(7, 9));
    sequencer.reset(11, 3);
    assertNull(sequencer.next());
    assertFalse(sequencer.gapOpen());
  }

  @Test
  @DisplayName("before its first snapshot a replica holds everything; the snapshot decides what is still needed")
  void uninitialized() {
    DeltaSequencer fresh = new DeltaSequencer();
    assertFalse(fresh.initialized());
    assertEquals(Verdict.HELD, fresh.offer(change(7, 3)));
    assertEquals(Verdict.HELD, fresh.offer(change(7, 4)));
    assertFalse(fresh.gapOpen());
    assertFalse(fresh.follows(change(7, 3)));
    fresh.reset(7, 3);
    assertEquals(4, fresh.next().version());
  }

  @Test
  @DisplayName("holding too much gives up and asks for a re-read")
  void bounded() {
    for (int v = 7; v < 7 + DeltaSequencer.MAX_WAITING; v++) {
      assertEquals(Verdict.GAP, sequencer.offer(change(7, v)));
    }
    assertEquals(Verdict.RESYNC, sequencer.offer(change(7, 7 + DeltaSequencer.MAX_WAITING)));
    assertFalse(sequencer.holding(), "what was held is dropped: the re-read covers it");
  }

  @Test
  @DisplayName("follows tells whether a change can be applied directly on top")
  void follows() {
    assertTrue(sequencer.follows(change(7, 6)));
    assertFalse(sequencer.follows(change(7, 7)));
    assertFalse(sequencer.follows(change(8, 6)));
  }

  @Test
  @DisplayName("a held join or move makes frames from that session wait for it")
  void expects() {
    MemberRecord carol = new MemberRecord("c".repeat(22), "carol", null, "publisher", "{}", "n3");
    sequencer.offer(new RoomChange("room-a", true, null, 7, 8, List.of(), List.of(carol), List.of(), null, Set.of(),
      Map.of()));
    assertTrue(sequencer.expects(carol.id(), "n3"));
    assertFalse(sequencer.expects(carol.id(), "n4"));
    MemberRecord dave = new MemberRecord("d".repeat(22), "dave", null, "publisher", "{}", "n4");
    sequencer.offer(new RoomChange("room-a", true, null, 7, 9, List.of(), List.of(),
      List.of(new RoomChange.Moved(dave, "n2")), null, Set.of(), Map.of()));
    assertTrue(sequencer.expects(dave.id(), "n4"));
  }
}
