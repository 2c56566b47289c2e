package io.switchboard.signaling.presence;

import io.switchboard.bus.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * The way to one other node: its presence address over the clustered event bus, which carries frames for its
 * sessions and, from this node's presence verticle, deltas and handovers. One per node, created when a member of
 * that node is first seen and dropped when the node leaves, so a frame costs no directory lookup. Vert.x writes
 * everything for one node over one connection, in the order of the sends (its writes are serialized), and
 * the receiver handles the address on one context: what this node sends arrives in order.
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
    this.address = Addresses.nodePresence(nodeId);
  }

  void send(byte[] targetId, String frame) {
    bus.send(address, FrameEnvelope.encode(targetId, localNode, frame));
  }

  /** A control message of the handover protocol (see {@link Handovers}). */
  void control(JsonObject message) {
    bus.send(address, message);
  }
}
