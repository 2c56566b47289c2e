package io.switchboard.signaling.cluster;

import io.switchboard.bus.Addresses;
import io.switchboard.signaling.protocol.Utf8;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;


/**
 * The way to one other node's sessions: frames go to its frame address over the clustered event bus. One per
 * node, created when a member of that node is first seen and dropped when the node leaves, so a frame costs no
 * directory lookup. Vert.x sends everything from one thread to one address over one connection, in order.
 */
final class NodeRoute {

  private final EventBus bus;
  private final String address;
  final String nodeId;

  NodeRoute(EventBus bus, String nodeId) {
    this.bus = bus;
    this.nodeId = nodeId;
    this.address = Addresses.nodeFrames(nodeId);
  }

  /** Envelope: one byte of target-id length, the id (ASCII), then the frame as UTF-8. */
  void send(byte[] targetId, String frame) {
    // the frame is encoded straight into the envelope: no intermediate byte[] per frame
    Buffer envelope = Buffer.buffer(1 + targetId.length + Utf8.encodedLength(frame))
      .appendByte((byte) targetId.length).appendBytes(targetId).appendString(frame);
    bus.send(address, envelope);
  }

  static String targetOf(Buffer envelope) {
    int length = envelope.getUnsignedByte(0);
    return envelope.getString(1, 1 + length, "US-ASCII");
  }

  static String frameOf(Buffer envelope) {
    int length = envelope.getUnsignedByte(0);
    return envelope.getString(1 + length, envelope.length(), "UTF-8");
  }
}
