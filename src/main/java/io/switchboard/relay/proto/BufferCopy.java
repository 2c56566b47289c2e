package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * Appends bytes of one buffer to another without the per-call {@code ByteBuffer} views Netty's
 * {@code writeBytes(ByteBuf, int, int)} makes between two direct buffers (a slice object per relayed datagram,
 * found with JFR: docs/relay.md, "Performance"). When both buffers expose their memory address the bytes are
 * copied straight from one address to the other; otherwise Netty's copy is used.
 */
public final class BufferCopy {

  private BufferCopy() {
  }

  /** Appends {@code length} bytes of {@code source} from {@code offset} at {@code out}'s writer index. */
  public static void append(ByteBuf out, ByteBuf source, int offset, int length) {
    out.ensureWritable(length);
    if (out.hasMemoryAddress() && source.hasMemoryAddress() && offset >= 0
      && offset + length <= source.capacity()) {
      int at = out.writerIndex();
      PlatformDependent.copyMemory(source.memoryAddress() + offset, out.memoryAddress() + at, length);
      out.writerIndex(at + length);
    } else {
      out.writeBytes(source, offset, length);
    }
  }
}
