package io.switchboard.signaling.presence;

import io.switchboard.signaling.protocol.Utf8;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A frame on its way to sessions on another node: one byte with the number of receivers (1 to
 * {@value #MAX_TARGETS}), for each a byte of length and its session id (ASCII), one byte of length and the
 * sending node's id (ASCII), then the frame as UTF-8, once for all of them. A directed frame names one
 * receiver; a broadcast names every receiver the node holds. The receiver checks the sender's claims against its
 * own view of the room, for each receiver, before anything is delivered.
 *
 * @param target the receiving session's id
 * @param senderNode the node that says it holds the frame's sender
 * @param frame the frame as the receiver will get it, starting with {@code {"from":"<sender id>"}}
 */
record FrameEnvelope(String target, String senderNode, String frame) {

  /** Receivers one envelope may name; a broadcast to more sessions of one node takes several envelopes. */
  static final int MAX_TARGETS = 255;

  static byte[] ascii(String id) {
    return id.getBytes(StandardCharsets.US_ASCII);
  }

  /** The frame is encoded straight into the envelope: no intermediate byte[] per frame. */
  static Buffer encode(byte[] target, byte[] senderNode, String frame) {
    return Buffer.buffer(3 + target.length + senderNode.length + Utf8.encodedLength(frame))
      .appendByte((byte) 1).appendByte((byte) target.length).appendBytes(target)
      .appendByte((byte) senderNode.length).appendBytes(senderNode)
      .appendString(frame);
  }

  /** One envelope for {@code targets[from, to)}, at most {@value #MAX_TARGETS} of them. */
  static Buffer encode(List<byte[]> targets, int from, int to, byte[] senderNode, String frame) {
    int count = to - from;
    if (count < 1 || count > MAX_TARGETS) {
      throw new IllegalArgumentException(count + " receivers in one envelope");
    }
    int header = 2 + senderNode.length;
    for (int i = from; i < to; i++) {
      header += 1 + targets.get(i).length;
    }
    Buffer envelope = Buffer.buffer(header + Utf8.encodedLength(frame)).appendByte((byte) count);
    for (int i = from; i < to; i++) {
      envelope.appendByte((byte) targets.get(i).length).appendBytes(targets.get(i));
    }
    return envelope.appendByte((byte) senderNode.length).appendBytes(senderNode).appendString(frame);
  }

  /**
   * One envelope per receiver, all sharing the sender's node id and the frame.
   *
   * @throws IndexOutOfBoundsException for an envelope shorter than its own length bytes say, or naming nobody
   */
  static List<FrameEnvelope> decode(Buffer envelope) {
    int count = envelope.getUnsignedByte(0);
    if (count == 0) {
      throw new IndexOutOfBoundsException("envelope names no receiver");
    }
    int at = 1;
    List<String> targets = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int length = envelope.getUnsignedByte(at);
      targets.add(envelope.getString(at + 1, at + 1 + length, "US-ASCII"));
      at += 1 + length;
    }
    int nodeLength = envelope.getUnsignedByte(at);
    int frameAt = at + 1 + nodeLength;
    if (frameAt > envelope.length()) {
      throw new IndexOutOfBoundsException("envelope of " + envelope.length() + " bytes ends inside its header");
    }
    String senderNode = envelope.getString(at + 1, frameAt, "US-ASCII");
    String frame = envelope.getString(frameAt, envelope.length(), "UTF-8");
    List<FrameEnvelope> each = new ArrayList<>(count);
    for (String target : targets) {
      each.add(new FrameEnvelope(target, senderNode, frame));
    }
    return each;
  }
}
