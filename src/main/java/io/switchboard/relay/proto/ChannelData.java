package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

/**
 * A ChannelData message (RFC 8656 section 12.4): channel number ({@link ChannelNumber}), data length, data. Over UDP
 * the sender may pad to four bytes; the padding is not data. The first two bits are 01, which tells it apart from STUN
 * (00) on the same port.
 */
public final class ChannelData {

  public static final int HEADER_LENGTH = 4;

  private ChannelData() {
  }

  /** True when the first byte marks a ChannelData message (its top two bits are 01). */
  public static boolean looksLikeChannelData(ByteBuf buf) {
    return buf.readableBytes() >= 1 && (buf.getByte(buf.readerIndex()) & 0xC0) == 0x40;
  }

  /**
   * The channel number of a well-formed ChannelData datagram, or -1 when it is malformed: shorter than its
   * header, a channel outside the accepted range, or a length field beyond the datagram or short of it by more than
   * the three bytes of padding.
   */
  public static int channel(ByteBuf buf) {
    int available = buf.readableBytes();
    if (available < HEADER_LENGTH) {
      return -1;
    }
    int at = buf.readerIndex();
    int channel = buf.getUnsignedShort(at);
    int length = buf.getUnsignedShort(at + 2);
    if (!ChannelNumber.valid(channel) || length > available - HEADER_LENGTH
      || available - HEADER_LENGTH - length > 3) {
      return -1;
    }
    return channel;
  }

  /** The data length of a datagram {@link #channel} accepted. */
  public static int dataLength(ByteBuf buf) {
    return buf.getUnsignedShort(buf.readerIndex() + 2);
  }

  /** Writes the 4-byte header for {@code length} data bytes (this server never pads: UDP does not need it). */
  public static void writeHeader(ByteBuf out, int channel, int length) {
    out.writeShort(channel);
    out.writeShort(length);
  }
}
