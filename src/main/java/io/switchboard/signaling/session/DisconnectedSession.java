package io.switchboard.signaling.session;

import io.switchboard.ice.TurnRevocations;
import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.Room;
import io.switchboard.signaling.room.SessionEndpoint;

import java.util.List;

/**
 * A session whose connection is gone, as its grace buffer keeps it: the TURN username its client was given,
 * so that a kick or a replacement during the grace period still ends its relayed media path. The connection,
 * its request headers and queues are not held, so a session in its grace period costs the buffer and this.
 */
final class DisconnectedSession implements SessionEndpoint {

  private final TurnRevocations revocations;
  private final String turnUsername;

  /** @param turnUsername null when the session was given no TURN credentials */
  DisconnectedSession(TurnRevocations revocations, String turnUsername) {
    this.revocations = revocations;
    this.turnUsername = turnUsername;
  }

  @Override
  public void admitted(Room room, Participant self, List<Participant> visiblePeers, boolean resumed) {
    throw new IllegalStateException("a disconnected session is never admitted");
  }

  /** Never called: the grace buffer in front of it keeps the session's frames. */
  @Override
  public void deliver(String frame) {
  }

  @Override
  public void evicted(LeaveReason reason) {
    if (turnUsername != null) {
      revocations.revoke(turnUsername);
    }
  }
}
