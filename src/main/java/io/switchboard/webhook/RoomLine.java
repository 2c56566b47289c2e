package io.switchboard.webhook;

import java.util.Comparator;
import java.util.TreeSet;

/**
 * One room's batches waiting on its deliverer, in the room's order, and where delivery has got to. One batch is
 * delivered at a time; the next is due when it follows the last one delivered (the next version, or the first of
 * a new lifetime after the room finished), or when it has waited the reorder window for one that never came.
 */
final class RoomLine {

  /** One room lifetime's batches by version; lifetimes by when they were produced. */
  static final Comparator<Pending> ORDER = (a, b) -> {
    if (a.batch().epoch() == b.batch().epoch()) {
      return Long.compare(a.batch().version(), b.batch().version());
    }
    int byTime = Long.compare(a.batch().createdAt(), b.batch().createdAt());
    return byTime != 0 ? byTime : Long.compare(a.batch().epoch(), b.batch().epoch());
  };

  /** A batch and when it reached this node (epoch milliseconds). */
  record Pending(String key, EventBatch batch, long arrived) {
  }

  /** What {@link #next} says about the head of the line. */
  enum Verdict {
    NOTHING, BUSY, DUE, WAIT, STALE
  }

  private final TreeSet<Pending> pending = new TreeSet<>(ORDER);
  private boolean busy;
  private boolean delivered;
  private long lastEpoch;
  private long lastVersion;
  private boolean lastFinished;
  long lastActivity;
  long waitTimer = -1;

  void add(Pending batch) {
    pending.add(batch);
  }

  /** What to do with the head now, with a reorder window of {@code windowMillis}. */
  Verdict next(long now, long windowMillis) {
    if (busy) {
      return Verdict.BUSY;
    }
    if (pending.isEmpty()) {
      return Verdict.NOTHING;
    }
    Pending head = pending.first();
    if (stale(head.batch())) {
      return Verdict.STALE;
    }
    return follows(head.batch()) || now - head.arrived() >= windowMillis ? Verdict.DUE : Verdict.WAIT;
  }

  Pending head() {
    return pending.first();
  }

  /** Takes the head out of the line; with {@code deliver}, the line is busy until {@link #delivered}. */
  Pending take(boolean deliver) {
    busy = deliver;
    return pending.pollFirst();
  }

  /** The batch taken is delivered (or given up): the line moves past it. */
  void delivered(EventBatch batch, long now) {
    busy = false;
    delivered = true;
    lastEpoch = batch.epoch();
    lastVersion = batch.version();
    lastFinished = batch.finishesRoom();
    lastActivity = now;
  }

  /** The batch taken is not this node's to deliver after all. */
  void released() {
    busy = false;
  }

  private boolean follows(EventBatch batch) {
    if (!delivered) {
      return batch.version() == 1;
    }
    return batch.epoch() == lastEpoch ? batch.version() == lastVersion + 1 : lastFinished && batch.version() == 1;
  }

  /** Delivered already (a copy of a batch, found again): skipped. */
  private boolean stale(EventBatch batch) {
    return delivered && batch.epoch() == lastEpoch && batch.version() <= lastVersion;
  }

  boolean idle() {
    return !busy && pending.isEmpty();
  }

  /** Nothing more can follow in order: the room finished and nothing waits. */
  boolean finished() {
    return idle() && lastFinished;
  }

  int size() {
    return pending.size();
  }
}
