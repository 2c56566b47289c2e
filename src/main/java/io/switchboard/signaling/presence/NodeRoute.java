package io.switchboard.signaling.presence;

import io.switchboard.bus.Addresses;
import io.switchboard.metrics.PresenceMetrics;
import io.switchboard.signaling.room.FanoutCarrier;
import io.switchboard.signaling.room.SessionEndpoint;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The way to one other node: its presence address over the clustered event bus, which carries frames for its
 * sessions and, from this node's presence verticle, deltas and handovers. One per node, created when a member of
 * that node is first seen and dropped when the node leaves, so a frame costs no directory lookup. Vert.x writes
 * everything for one node over one connection, in the order of the sends (its writes are serialized), and
 * the receiver handles the address on one context: what this node sends arrives in order.
 *
 * <p>The route is also the lock of its {@link RemoteEndpoint}s: a frame is sent, and an endpoint retired (the
 * session moved), under it, so a broadcast that names several of the node's sessions in one envelope cannot
 * slip a frame behind the handover marker of one of them.
 */
final class NodeRoute implements FanoutCarrier {

  private final EventBus bus;
  private final PresenceMetrics stats;
  private final String address;
  /** This node's id, which every envelope carries for the receiver to check. */
  private final byte[] localNode;
  final String nodeId;

  NodeRoute(EventBus bus, PresenceMetrics stats, String localNodeId, String nodeId) {
    this.bus = bus;
    this.stats = stats;
    this.localNode = FrameEnvelope.ascii(localNodeId);
    this.nodeId = nodeId;
    this.address = Addresses.nodePresence(nodeId);
  }

  /** Hold this route's lock (see {@link RemoteEndpoint#deliver(String)}). */
  void send(byte[] targetId, String frame) {
    bus.send(address, FrameEnvelope.encode(targetId, localNode, frame));
    stats.envelopeSent();
  }

  /**
   * A broadcast to sessions of this node: one envelope names them all (up to {@value FrameEnvelope#MAX_TARGETS}
   * each). A session that moved away meanwhile gets the frame through its successor, after the envelope.
   */
  @Override
  public void carry(String frame, List<SessionEndpoint> endpoints) {
    List<SessionEndpoint> moved = null;
    synchronized (this) {
      List<byte[]> targets = new ArrayList<>(endpoints.size());
      for (SessionEndpoint endpoint : endpoints) {
        RemoteEndpoint remote = (RemoteEndpoint) endpoint;
        if (remote.successor() == null) {
          targets.add(remote.targetId());
        } else {
          moved = moved == null ? new ArrayList<>(1) : moved;
          moved.add(remote.successor());
        }
      }
      for (int from = 0; from < targets.size(); from += FrameEnvelope.MAX_TARGETS) {
        int to = Math.min(targets.size(), from + FrameEnvelope.MAX_TARGETS);
        bus.send(address, FrameEnvelope.encode(targets, from, to, localNode, frame));
        stats.envelopeSent();
      }
    }
    if (moved != null) {
      moved.forEach(next -> next.deliver(frame));
    }
  }

  /** A control message of the handover protocol (see {@link Handovers}). */
  void control(JsonObject message) {
    bus.send(address, message);
  }
}
