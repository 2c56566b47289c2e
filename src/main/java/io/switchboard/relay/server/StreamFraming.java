package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.switchboard.relay.proto.ChannelData;
import io.switchboard.relay.proto.StunMessage;

/**
 * Where one message ends on a TCP or TLS stream, where STUN messages and ChannelData come back to back (RFC 8489
 * section 6.2.2, RFC 8656 section 12.5). A STUN message is its 20-byte header plus the header's length; ChannelData
 * is its 4-byte header plus the data length, padded to a multiple of four bytes. Only headers are read: nothing is
 * copied or allocated. A message beyond the relay's maximum, or bytes that are neither STUN (first two bits 00 and
 * the magic cookie) nor ChannelData (01), end the connection: on a stream nothing after them can be found again.
 */
final class StreamFraming {

  /** More bytes are needed to tell. */
  static final int INCOMPLETE = 0;
  /** The length field announces a message beyond the maximum. */
  static final int TOO_LARGE = -1;
  /** Neither STUN nor ChannelData. */
  static final int NOT_TURN = -2;

  private StreamFraming() {
  }

  /**
   * The length of the message at {@code in}'s reader index, without ChannelData padding, as soon as its header
   * tells it (the message itself may not have arrived yet); or {@link #INCOMPLETE}, {@link #TOO_LARGE},
   * {@link #NOT_TURN}.
   */
  static int messageLength(ByteBuf in, int max) {
    int readable = in.readableBytes();
    if (readable == 0) {
      return INCOMPLETE;
    }
    int at = in.readerIndex();
    if ((in.getByte(at) & 0x80) != 0) {
      return NOT_TURN; // first two bits 10 or 11
    }
    if (readable < 4) {
      return INCOMPLETE;
    }
    if ((in.getByte(at) & 0xC0) == 0x40) {
      int length = ChannelData.HEADER_LENGTH + in.getUnsignedShort(at + 2);
      return length > max ? TOO_LARGE : length;
    }
    return stunLength(in, at, readable, max);
  }

  /** A STUN header: its length is a multiple of four, and the magic cookie follows it. */
  private static int stunLength(ByteBuf in, int at, int readable, int max) {
    int length = StunMessage.HEADER_LENGTH + in.getUnsignedShort(at + 2);
    if (length > max) {
      return TOO_LARGE;
    }
    if ((length & 3) != 0) {
      return NOT_TURN;
    }
    if (readable < 8) {
      return INCOMPLETE;
    }
    return in.getInt(at + 4) == StunMessage.MAGIC_COOKIE ? length : NOT_TURN;
  }

  /** The bytes {@code length} takes on the stream: ChannelData is padded to a multiple of four, STUN already is. */
  static int streamLength(int length) {
    return (length + 3) & ~3;
  }
}
