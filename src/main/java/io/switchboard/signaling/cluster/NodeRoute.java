package io.switchboard.signaling.cluster;

import io.switchboard.bus.Addresses;
import io.vertx.core.eventbus.EventBus;


/**
 * The way to one other node's sessions: frames go to its frame address over the clustered event bus. One per
 * node, created when a member of that node is first seen and dropped when the node leaves, so a frame costs no
 * directory lookup. Vert.x sends everything from one thread to one address over one connection, in order.
 */
final class NodeRoute {

  private final EventBus bus;
  private final String address;
  /** This node's id, which every envelope carries for the receiver to check. */
  private final byte[] localNode;
  final String nodeId;

  NodeRoute(EventBus bus, String localNodeId, String nodeId) {
    this.bus = bus;
    this.localNode = FrameEnvelope.ascii(localNodeId);
    this.nodeId = nodeId;
    this.address = Addresses.nodeFrames(nodeId);
  }

  void send(byte[] targetId, String frame) {
    bus.send(address, FrameEnvelope.encode(targetId, localNode, frame));
  }
}
