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
   */
  void admitted(Room room, List<Participant> visiblePeers);

  /** Writes one server-to-client text frame. */
  void deliver(String frame);

  /** The room removed this session ({@link LeaveReason#REPLACED} or {@link LeaveReason#KICKED}): close it. */
  void evicted(LeaveReason reason);
}
