package io.switchboard.signaling.presence;

import io.switchboard.signaling.room.Fanout;
import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.Room;
import io.switchboard.signaling.room.SessionEndpoint;

import java.util.List;

/**
 * A session held by another node, as this node's rooms see it. Frames are forwarded to the owning node; the
 * owner alone writes {@code welcome} and closes the session, so {@link #admitted} and {@link #evicted} are
 * never called on a remote endpoint.
 *
 * <p>When the session moves (a resume elsewhere, its node lost), the endpoint is retired: a frame that still
 * reaches it goes to its successor, and whatever must follow the last frame sent to the old node (the marker
 * of a handover) is sent under the same lock, so no frame overtakes it. The lock is the node's route, which a
 * broadcast to several sessions of that node holds while it sends (see {@link NodeRoute#carry}).
 */
final class RemoteEndpoint implements SessionEndpoint {

  private final NodeRoute route;
  private final byte[] targetId;
  private SessionEndpoint successor;

  RemoteEndpoint(NodeRoute route, String sessionId) {
    this.route = route;
    this.targetId = FrameEnvelope.ascii(sessionId);
  }

  String nodeId() {
    return route.nodeId;
  }

  @Override
  public void deliver(String frame) {
    SessionEndpoint next;
    synchronized (route) {
      next = successor;
      if (next == null) {
        route.send(targetId, frame);
        return;
      }
    }
    next.deliver(frame);
  }

  @Override
  public void deliver(String frame, Fanout fanout) {
    fanout.join(route, this);
  }

  /** From now on frames go to {@code next}; {@code last} runs after the last frame sent to the old node. */
  void retire(SessionEndpoint next, Runnable last) {
    synchronized (route) {
      last.run();
      successor = next;
    }
  }

  /** Where frames go instead, once retired; null while the session is on this endpoint's node. Hold the route. */
  SessionEndpoint successor() {
    return successor;
  }

  byte[] targetId() {
    return targetId;
  }

  @Override
  public void admitted(Room room, Participant self, List<Participant> visiblePeers, boolean resumed) {
    throw new IllegalStateException("a remote session is admitted by its own node");
  }

  @Override
  public void evicted(LeaveReason reason) {
    throw new IllegalStateException("a remote session is evicted by its own node");
  }
}
