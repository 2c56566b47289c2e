package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

/**
 * Writes one STUN message into a buffer: header, attributes with their padding, then optionally
 * MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT, keeping the header's length field right at every step (both
 * digests cover the length as it stands when they are computed).
 */
public final class MessageWriter {

  private final ByteBuf out;
  private final int start;

  private MessageWriter(ByteBuf out) {
    this.out = out;
    this.start = out.writerIndex();
  }

  /** Starts a message with the transaction id copied from {@code request}. */
  public static MessageWriter answer(ByteBuf out, StunMessage request, MessageClass messageClass) {
    MessageWriter writer = new MessageWriter(out);
    out.writeShort(MessageType.encode(request.method(), messageClass));
    out.writeShort(0);
    out.writeInt(StunMessage.MAGIC_COOKIE);
    out.writeBytes(request.buffer(), request.transactionIdOffset(), StunMessage.TRANSACTION_ID_LENGTH);
    return writer;
  }

  public static MessageWriter start(ByteBuf out, int method, MessageClass messageClass, byte[] transactionId) {
    if (transactionId.length != StunMessage.TRANSACTION_ID_LENGTH) {
      throw new IllegalArgumentException("a transaction id is 12 bytes");
    }
    MessageWriter writer = new MessageWriter(out);
    out.writeShort(MessageType.encode(method, messageClass));
    out.writeShort(0);
    out.writeInt(StunMessage.MAGIC_COOKIE);
    out.writeBytes(transactionId);
    return writer;
  }

  public ByteBuf buffer() {
    return out;
  }

  /** Offset of the message's first byte in {@link #buffer()}. */
  public int start() {
    return start;
  }

  /** The 12 transaction id bytes, for XOR-encoding IPv6 addresses. */
  int transactionIdOffset() {
    return start + 8;
  }

  public MessageWriter attribute(int type, byte[] value) {
    return attribute(type, value, 0, value.length);
  }

  public MessageWriter attribute(int type, byte[] value, int offset, int length) {
    header(type, length);
    out.writeBytes(value, offset, length);
    pad(length);
    return this;
  }

  /** Copies {@code length} bytes of {@code source} from {@code offset} as the value. */
  public MessageWriter attribute(int type, ByteBuf source, int offset, int length) {
    header(type, length);
    BufferCopy.append(out, source, offset, length);
    pad(length);
    return this;
  }

  public MessageWriter intAttribute(int type, int value) {
    header(type, 4);
    out.writeInt(value);
    updateLength();
    return this;
  }

  /** Writes an attribute header; the caller writes exactly {@code length} value bytes, then {@link #pad}. */
  public MessageWriter header(int type, int length) {
    if (length > 0xFFFF) {
      throw new IllegalArgumentException("attribute value too long: " + length);
    }
    out.writeShort(type);
    out.writeShort(length);
    return this;
  }

  /** Pads the value just written to a multiple of four and updates the length field. */
  public MessageWriter pad(int length) {
    out.writeZero((4 - (length & 3)) & 3);
    updateLength();
    return this;
  }

  private void updateLength() {
    int bodyLength = out.writerIndex() - start - StunMessage.HEADER_LENGTH;
    if (bodyLength > 0xFFFF) {
      throw new IllegalStateException("message longer than 65535 bytes");
    }
    out.setShort(start + 2, bodyLength);
  }

  public MessageWriter integrity(byte[] key) {
    MessageIntegrity.write(this, key);
    return this;
  }

  public MessageWriter integritySha256(byte[] key) {
    MessageIntegritySha256.write(this, key);
    return this;
  }

  public MessageWriter fingerprint() {
    Fingerprint.write(this);
    return this;
  }

  /** The length the header says now (attributes written so far). */
  int bodyLength() {
    return out.writerIndex() - start - StunMessage.HEADER_LENGTH;
  }

  /** Sets the header's length field to {@code bodyLength} (used while computing digests). */
  void setLength(int bodyLength) {
    out.setShort(start + 2, bodyLength);
  }
}
