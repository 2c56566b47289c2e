package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("BufferCopy appends exactly the bytes asked for, between any kinds of buffer")
class BufferCopyTest {

  private static final byte[] BYTES = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);

  private static String appended(ByteBuf out, ByteBuf source, int offset, int length) {
    try {
      out.writeBytes(new byte[] {'>'});
      BufferCopy.append(out, source, offset, length);
      return out.toString(StandardCharsets.US_ASCII);
    } finally {
      out.release();
      source.release();
    }
  }

  private static ByteBuf direct() {
    return ByteBufAllocator.DEFAULT.directBuffer(64).writeBytes(BYTES);
  }

  @Test
  @DisplayName("direct to pooled direct (the relay's case), from an offset, and a slice of a direct buffer")
  void directToDirect() {
    assertEquals(">abcdef", appended(ByteBufAllocator.DEFAULT.ioBuffer(16), direct(), 10, 6));
    ByteBuf whole = direct();
    ByteBuf slice = whole.retainedSlice(5, 20);
    whole.release();
    assertEquals(">789ab", appended(ByteBufAllocator.DEFAULT.ioBuffer(16), slice, 2, 5));
  }

  @Test
  @DisplayName("heap on either side, and an output that must grow")
  void heapAndGrowth() {
    assertEquals(">0123", appended(Unpooled.buffer(2), direct(), 0, 4));
    assertEquals(">wxyz", appended(ByteBufAllocator.DEFAULT.ioBuffer(2), Unpooled.wrappedBuffer(BYTES.clone()), 32, 4));
    assertEquals(">", appended(ByteBufAllocator.DEFAULT.ioBuffer(2), direct(), 3, 0));
  }
}
