package io.switchboard.signaling.room;

import java.util.List;

/**
 * How the room side reaches a session. Every method may be called from any thread; implementations keep the
 * writes to one socket in call order.
 */
public interface SessionEndpoint {

  /**
   * The session is in the room. Called before anyone else learns of it, so an implementation that writes
   * {@code welcome} here guarantees it is the session's first frame.
   *
   * @param self the participant as the room knows it (after a resume: as it was admitted first)
   * @param resumed the session was resumed: same id, and buffered frames follow
   */
  void admitted(Room room, Participant self, List<Participant> visiblePeers, boolean resumed);

  /** Writes one server-to-client text frame. */
  void deliver(String frame);

  /**
   * The same frame as {@link #deliver}, as one of many receivers of a broadcast. An endpoint that reaches its
   * session through a carrier shared with others (another node) joins {@code fanout}, which sends the frame once
   * per carrier when the broadcast is complete; every other endpoint delivers at once.
   */
  default void deliver(String frame, Fanout fanout) {
    deliver(frame);
  }

  /** The room removed this session ({@link LeaveReason#REPLACED} or {@link LeaveReason#KICKED}): close it. */
  void evicted(LeaveReason reason);

  /**
   * This endpoint no longer reaches the session (its connection dropped and a grace buffer took its place, or it
   * was resumed on another connection): close the connection if it is still open, without a word to anyone,
   * and pass frames that still reach this endpoint to {@code successor}.
   */
  default void replacedBy(SessionEndpoint successor) {
  }

  /**
   * What a grace buffer keeps of this session once its connection is gone: enough to act on a kick or a
   * replacement during the grace period, and nothing of the connection itself, whose memory should go with it.
   */
  default SessionEndpoint whileDisconnected() {
    return this;
  }
}
