package io.switchboard.signaling.presence;

import io.switchboard.signaling.protocol.Utf8;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * A frame on its way to a session on another node: one byte of target-id length, the target session id
 * (ASCII), one byte of length and the sending node's id (ASCII), then the frame as UTF-8. The receiver checks
 * the sender's claims against its own view of the room before anything is delivered.
 *
 * @param target the receiving session's id
 * @param senderNode the node that says it holds the frame's sender
 * @param frame the frame as the receiver will get it, starting with {@code {"from":"<sender id>"}}
 */
record FrameEnvelope(String target, String senderNode, String frame) {

  static byte[] ascii(String id) {
    return id.getBytes(StandardCharsets.US_ASCII);
  }

  /** The frame is encoded straight into the envelope: no intermediate byte[] per frame. */
  static Buffer encode(byte[] target, byte[] senderNode, String frame) {
    return Buffer.buffer(2 + target.length + senderNode.length + Utf8.encodedLength(frame))
      .appendByte((byte) target.length).appendBytes(target)
      .appendByte((byte) senderNode.length).appendBytes(senderNode)
      .appendString(frame);
  }

  /** @throws IndexOutOfBoundsException for an envelope shorter than its own length bytes say */
  static FrameEnvelope decode(Buffer envelope) {
    int targetLength = envelope.getUnsignedByte(0);
    int nodeAt = 1 + targetLength;
    int nodeLength = envelope.getUnsignedByte(nodeAt);
    int frameAt = nodeAt + 1 + nodeLength;
    if (frameAt > envelope.length()) {
      throw new IndexOutOfBoundsException("envelope of " + envelope.length() + " bytes ends inside its header");
    }
    return new FrameEnvelope(envelope.getString(1, nodeAt, "US-ASCII"),
      envelope.getString(nodeAt + 1, frameAt, "US-ASCII"), envelope.getString(frameAt, envelope.length(), "UTF-8"));
  }
}
