package io.switchboard.signaling.cluster;

import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.Room;
import io.switchboard.signaling.room.SessionEndpoint;

import java.util.List;

/**
 * A session held by another node, as this node's rooms see it. Frames are forwarded to the owning node; the
 * owner alone writes {@code welcome} and closes the session, so {@link #admitted} and {@link #evicted} are
 * never called on a remote endpoint.
 */
final class RemoteEndpoint implements SessionEndpoint {

  private final NodeRoute route;
  private final byte[] targetId;

  RemoteEndpoint(NodeRoute route, String sessionId) {
    this.route = route;
    this.targetId = FrameEnvelope.ascii(sessionId);
  }

  String nodeId() {
    return route.nodeId;
  }

  @Override
  public void deliver(String frame) {
    route.send(targetId, frame);
  }

  @Override
  public void admitted(Room room, List<Participant> visiblePeers) {
    throw new IllegalStateException("a remote session is admitted by its own node");
  }

  @Override
  public void evicted(LeaveReason reason) {
    throw new IllegalStateException("a remote session is evicted by its own node");
  }
}
