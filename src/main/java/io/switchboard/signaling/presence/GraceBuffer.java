package io.switchboard.signaling.presence;

import io.switchboard.signaling.protocol.Utf8;
import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.Room;
import io.switchboard.signaling.room.SessionEndpoint;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Frames for a session in its grace period, kept in order until the client resumes it. On the node that held
 * the session when its connection dropped, the buffer takes the session's place; on the other nodes, when the
 * node holding a session died, a buffer takes the place of the route to it and keeps what this node's
 * participants send it.
 *
 * <p>Bounded in frames and bytes. A frame beyond either bound means the session cannot be resumed without a
 * loss: everything held is dropped and {@code onOverflow} runs once (the resume will be refused). Presence
 * frames ({@code peer-joined}, {@code peer-left}) are not kept: the {@code welcome} of a resume lists the room
 * as it is then.
 *
 * <p>Any thread may deliver; the presence verticle alone hands the buffer over, and every frame delivered after
 * that goes to the successor, so a frame on its way while the buffer is replaced is neither lost nor reordered.
 */
final class GraceBuffer implements SessionEndpoint {

  private final int maxFrames;
  private final int maxBytes;
  /**
   * What is left of the session this buffer stands in for, on its own node (kicks reach it, its connection is
   * not held); null for another node's.
   */
  private final SessionEndpoint predecessor;
  private final Runnable onOverflow;
  private final GraceStats stats;
  private final ArrayDeque<String> frames = new ArrayDeque<>();
  private int bytes;
  private boolean overflowed;
  /** Still standing in for the session: not yet handed over or discarded. */
  private boolean active = true;
  private SessionEndpoint successor;

  GraceBuffer(int maxFrames, int maxBytes, SessionEndpoint predecessor, Runnable onOverflow, GraceStats stats) {
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
    this.predecessor = predecessor;
    this.onOverflow = onOverflow;
    this.stats = stats;
    stats.opened();
  }

  @Override
  public void deliver(String frame) {
    SessionEndpoint next;
    synchronized (this) {
      next = successor;
      if (next == null) {
        keep(frame);
        return;
      }
    }
    next.deliver(frame);
  }

  private void keep(String frame) {
    if (overflowed || !active || isPresence(frame)) {
      return;
    }
    int size = Utf8.encodedLength(frame);
    if (frames.size() >= maxFrames || bytes + size > maxBytes) {
      overflowed = true;
      stats.released(bytes);
      frames.clear();
      bytes = 0;
      onOverflow.run();
      return;
    }
    frames.addLast(frame);
    bytes += size;
    stats.buffered(size);
  }

  private static boolean isPresence(String frame) {
    return frame.startsWith("{\"type\":\"peer-");
  }

  /**
   * Hands the buffer over: {@code send} gets the frames held (and may send them on), and every frame delivered
   * from then on goes to {@code next}. Both happen under the buffer's lock, so nothing overtakes the frames handed
   * over.
   */
  synchronized void handOver(Consumer<List<String>> send, SessionEndpoint next) {
    List<String> held = List.copyOf(frames);
    finish();
    send.accept(held);
    successor = next;
  }

  /** Passes the frames held to {@code next}, in order, and everything after them. */
  void flushTo(SessionEndpoint next) {
    handOver(held -> held.forEach(next::deliver), next);
  }

  /** Resumed: what is held goes to the resumed session, in order. */
  @Override
  public void replacedBy(SessionEndpoint successor) {
    flushTo(successor);
  }

  /** The session is gone for good: drop what is held. */
  synchronized void discard() {
    finish();
  }

  synchronized boolean overflowed() {
    return overflowed;
  }

  synchronized int bytes() {
    return bytes;
  }

  private void finish() {
    if (active) {
      active = false;
      stats.released(bytes);
      stats.closed();
    }
    frames.clear();
    bytes = 0;
  }

  boolean standsInForLocalSession() {
    return predecessor != null;
  }

  @Override
  public void admitted(Room room, Participant self, List<Participant> visiblePeers, boolean resumed) {
    throw new IllegalStateException("a grace buffer is never admitted");
  }

  /** A kick or a replacement during the grace period: the session (its TURN credentials) hears of it. */
  @Override
  public void evicted(LeaveReason reason) {
    if (predecessor != null) {
      predecessor.evicted(reason);
    }
  }
}
