package io.switchboard.signaling.presence;

import java.util.Map;
import java.util.TreeMap;

/**
 * Puts one room's presence changes in version order, as a replica must apply them. Changes come from several
 * nodes over several connections, so they can arrive late, twice, or before one that precedes them. The
 * sequencer says what to do with each: apply it now, drop it, hold it until the gap before it fills, or re-read
 * the room from the store (another epoch, or too much held).
 */
final class DeltaSequencer {

  /** Changes held waiting for an earlier one; beyond this the replica re-reads the room instead. */
  static final int MAX_WAITING = 1024;
  static final long UNKNOWN = -1;

  enum Verdict {
    /** The next change: apply it, then {@link #advance} and apply whatever {@link #next} returns. */
    APPLY,
    /** Already applied (a duplicate, or covered by a snapshot): drop it. */
    STALE,
    /** Held: the replica has no starting point yet (its first join is in flight). */
    HELD,
    /** Held behind a gap: if the gap is still open after a while, re-read the room. */
    GAP,
    /** The change cannot be placed: re-read the room. */
    RESYNC
  }

  private long epoch = UNKNOWN;
  private long version = UNKNOWN;
  private final TreeMap<Long, RoomChange> waiting = new TreeMap<>();

  boolean initialized() {
    return epoch != UNKNOWN;
  }

  long epoch() {
    return epoch;
  }

  long version() {
    return version;
  }

  Verdict offer(RoomChange change) {
    if (!initialized()) {
      return hold(change) ? Verdict.HELD : Verdict.RESYNC;
    }
    if (change.epoch() != epoch) {
      return Verdict.RESYNC; // the room was emptied and created again, or a partition merged
    }
    if (change.version() <= version) {
      return Verdict.STALE;
    }
    if (change.version() == version + 1) {
      return Verdict.APPLY;
    }
    return hold(change) ? Verdict.GAP : Verdict.RESYNC;
  }

  /** Whether {@code change} follows directly on what was applied (a local join's result may be applied at once). */
  boolean follows(RoomChange change) {
    return initialized() && change.epoch() == epoch && change.version() == version + 1;
  }

  /**
   * Whether what was applied already reflects {@code change}: a later change of the same epoch was applied (or a
   * snapshot taken after it). Results of local operations can come back out of order.
   */
  boolean covers(RoomChange change) {
    return initialized() && change.epoch() == epoch && change.version() <= version;
  }

  /** {@code change} was applied. */
  void advance(RoomChange change) {
    version = change.version();
  }

  /** The replica now reflects the room at {@code epoch}/{@code version} (a snapshot was applied). */
  void reset(long epoch, long version) {
    this.epoch = epoch;
    this.version = version;
  }

  /** The next held change that can be applied now, or null; held changes made stale are dropped on the way. */
  RoomChange next() {
    while (!waiting.isEmpty()) {
      Map.Entry<Long, RoomChange> first = waiting.firstEntry();
      if (first.getValue().epoch() != epoch || first.getKey() <= version) {
        waiting.pollFirstEntry();
      } else if (first.getKey() == version + 1) {
        waiting.pollFirstEntry();
        return first.getValue();
      } else {
        return null;
      }
    }
    return null;
  }

  /** A gap is open: something is held that cannot be applied yet. */
  boolean gapOpen() {
    return initialized() && !waiting.isEmpty() && waiting.firstKey() > version + 1;
  }

  boolean holding() {
    return !waiting.isEmpty();
  }

  /** A held change says that {@code node} added or now holds session {@code id}: its frames may wait for it. */
  boolean expects(String id, String node) {
    for (RoomChange change : waiting.values()) {
      for (MemberRecord joined : change.joined()) {
        if (joined.id().equals(id) && joined.node().equals(node)) {
          return true;
        }
      }
      for (RoomChange.Moved moved : change.moved()) {
        if (moved.member().id().equals(id) && moved.member().node().equals(node)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Drops everything held (before a re-read of the room). */
  void clear() {
    waiting.clear();
  }

  private boolean hold(RoomChange change) {
    if (waiting.size() >= MAX_WAITING) {
      waiting.clear();
      return false;
    }
    waiting.put(change.version(), change);
    return true;
  }
}
