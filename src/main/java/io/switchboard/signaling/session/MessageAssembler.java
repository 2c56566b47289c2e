package io.switchboard.signaling.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.util.Arrays;

/**
 * Joins WebSocket fragments into messages while holding at most {@code limit} bytes: the fragments of an
 * oversized message are counted and dropped, so a large message costs no memory beyond the limit and is
 * reported as {@link Message#oversized()} once its last fragment arrives. Nothing is kept between messages,
 * so an idle session holds no buffer. One per session, event loop only.
 */
final class MessageAssembler {

  /** A complete message. Valid until the next call to {@link #append}. */
  interface Message {
    boolean binary();

    boolean oversized();

    byte[] bytes();

    int length();
  }

  private final int limit;
  private final View view = new View();
  private byte[] buffer;
  private int length;
  private boolean inProgress;
  private boolean binary;
  private boolean oversized;

  MessageAssembler(int limit) {
    this.limit = limit;
  }

  /**
   * Adds a text, binary or continuation frame (its buffer is only read, not released); returns the message when
   * this frame completes one.
   */
  Message append(WebSocketFrame frame) {
    if (!(frame instanceof ContinuationWebSocketFrame)) {
      // a new data frame starts a new message (an unfinished one is abandoned, as RFC 6455 forbids it anyway)
      inProgress = true;
      binary = frame instanceof BinaryWebSocketFrame;
      oversized = false;
      length = 0;
      buffer = null;
    } else if (!inProgress) {
      return null; // continuation without a start: nothing to attach it to
    }
    ByteBuf data = frame.content();
    int size = data.readableBytes();
    if (!oversized) {
      if (length + size > limit) {
        oversized = true;
        length = 0;
        buffer = null;
      } else if (buffer == null && frame.isFinalFragment()) {
        // the common case: a whole message in one frame, copied once (out of the frame's buffer, released after)
        buffer = ByteBufUtil.getBytes(data);
        length = size;
      } else {
        ensureCapacity(length + size);
        data.getBytes(data.readerIndex(), buffer, length, size);
        length += size;
      }
    }
    if (!frame.isFinalFragment()) {
      return null;
    }
    inProgress = false;
    return view;
  }

  /** Drops the last message's bytes once it has been handled. */
  void release() {
    buffer = null;
    length = 0;
  }

  private void ensureCapacity(int needed) {
    if (buffer == null) {
      buffer = new byte[Math.min(limit, Math.max(needed, 4096))];
    } else if (buffer.length < needed) {
      buffer = Arrays.copyOf(buffer, Math.min(limit, Math.max(needed, buffer.length * 2)));
    }
  }

  private final class View implements Message {
    @Override
    public boolean binary() {
      return binary;
    }

    @Override
    public boolean oversized() {
      return oversized;
    }

    @Override
    public byte[] bytes() {
      return buffer;
    }

    @Override
    public int length() {
      return length;
    }
  }
}
