package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * A decoded STUN message: a strict, validating view over the bytes of one datagram (RFC 8489 sections 5, 14).
 *
 * <p>Decoding copies nothing: the message keeps the buffer and the offsets of its attributes, so it is valid only
 * while the datagram's buffer is. Checks: the two leading zero bits, the magic cookie, a length that is a multiple
 * of four and matches the datagram exactly, every attribute's padded length inside the message, FINGERPRINT last,
 * and after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT. Other attributes after
 * MESSAGE-INTEGRITY are ignored, as the RFC says: they are not covered by the HMAC.
 */
public final class StunMessage {

  public static final int HEADER_LENGTH = 20;
  public static final int MAGIC_COOKIE = 0x2112A442;
  public static final int TRANSACTION_ID_LENGTH = 12;
  /** More attributes than this in one message is hostile, not a client. */
  public static final int MAX_ATTRIBUTES = 40;

  private static final int[] NONE = new int[0];

  private final ByteBuf buf;
  private final int start;
  private final int type;
  private final int length;
  private final int[] types = new int[MAX_ATTRIBUTES];
  private final int[] offsets = new int[MAX_ATTRIBUTES];
  private final int[] lengths = new int[MAX_ATTRIBUTES];
  /** attributes that count: those before MESSAGE-INTEGRITY (or all, without it) */
  private int visible;
  private int integrity = -1;
  private int integritySha256 = -1;
  private int fingerprint = -1;

  private StunMessage(ByteBuf buf, int start, int type, int length) {
    this.buf = buf;
    this.start = start;
    this.type = type;
    this.length = length;
  }

  /** True when the datagram could be STUN: at least a header, two zero bits, the magic cookie. */
  public static boolean looksLikeStun(ByteBuf buf) {
    int at = buf.readerIndex();
    return buf.readableBytes() >= HEADER_LENGTH && (buf.getByte(at) & 0xC0) == 0
      && buf.getInt(at + 4) == MAGIC_COOKIE;
  }

  /** Decodes the readable bytes of {@code buf} (one whole datagram). */
  public static StunMessage decode(ByteBuf buf) {
    int start = buf.readerIndex();
    int available = buf.readableBytes();
    if (available < HEADER_LENGTH) {
      throw new MalformedMessageException("shorter than a STUN header: " + available + " bytes");
    }
    int type = buf.getUnsignedShort(start);
    if ((type & 0xC000) != 0) {
      throw new MalformedMessageException("first two bits are not zero");
    }
    if (buf.getInt(start + 4) != MAGIC_COOKIE) {
      throw new MalformedMessageException("no magic cookie");
    }
    int length = buf.getUnsignedShort(start + 2);
    if ((length & 3) != 0) {
      throw new MalformedMessageException("length " + length + " is not a multiple of 4");
    }
    if (HEADER_LENGTH + length != available) {
      throw new MalformedMessageException("length field says " + length + " but the datagram carries "
        + (available - HEADER_LENGTH) + " bytes after the header");
    }
    StunMessage message = new StunMessage(buf, start, type, length);
    message.readAttributes();
    return message;
  }

  private void readAttributes() {
    int at = start + HEADER_LENGTH;
    int end = start + HEADER_LENGTH + length;
    int count = 0;
    while (at < end) {
      if (fingerprint >= 0) {
        throw new MalformedMessageException("attribute after FINGERPRINT");
      }
      if (end - at < 4) {
        throw new MalformedMessageException("truncated attribute header");
      }
      if (count == MAX_ATTRIBUTES) {
        throw new MalformedMessageException("more than " + MAX_ATTRIBUTES + " attributes");
      }
      int attrType = buf.getUnsignedShort(at);
      int attrLength = buf.getUnsignedShort(at + 2);
      int padded = (attrLength + 3) & ~3;
      if (padded > end - at - 4) {
        throw new MalformedMessageException("attribute 0x" + Integer.toHexString(attrType) + " of length "
          + attrLength + " runs past the end of the message");
      }
      types[count] = attrType;
      offsets[count] = at + 4;
      lengths[count] = attrLength;
      place(count, attrType, attrLength);
      count++;
      at += 4 + padded;
    }
  }

  /**
   * Notes where FINGERPRINT and the first MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256 are, checking their
   * lengths; attributes after an integrity attribute are not visible (RFC 8489 section 14.5).
   */
  private void place(int index, int attrType, int attrLength) {
    boolean afterIntegrity = integrity >= 0 || integritySha256 >= 0;
    if (attrType == AttributeType.FINGERPRINT) {
      require(attrLength == 4, "FINGERPRINT must be 4 bytes");
      fingerprint = index;
    } else if (attrType == AttributeType.MESSAGE_INTEGRITY && !afterIntegrity) {
      require(attrLength == 20, "MESSAGE-INTEGRITY must be 20 bytes");
      integrity = index;
    } else if (attrType == AttributeType.MESSAGE_INTEGRITY_SHA256 && integritySha256 < 0) {
      require(attrLength >= 16 && attrLength <= 32 && (attrLength & 3) == 0,
        "MESSAGE-INTEGRITY-SHA256 must be 16 to 32 bytes, a multiple of 4");
      integritySha256 = index;
    } else if (!afterIntegrity) {
      visible = index + 1;
    }
  }

  private static void require(boolean wellFormed, String problem) {
    if (!wellFormed) {
      throw new MalformedMessageException(problem);
    }
  }

  public int type() {
    return type;
  }

  public int method() {
    return MessageType.method(type);
  }

  public MessageClass messageClass() {
    return MessageType.messageClass(type);
  }

  public boolean is(int method, MessageClass messageClass) {
    return type == MessageType.encode(method, messageClass);
  }

  /** Length of the whole message in bytes, header included. */
  public int size() {
    return HEADER_LENGTH + length;
  }

  public ByteBuf buffer() {
    return buf;
  }

  /** Offset of the message's first byte in {@link #buffer()}. */
  public int start() {
    return start;
  }

  public int transactionIdOffset() {
    return start + 8;
  }

  public byte[] transactionId() {
    byte[] id = new byte[TRANSACTION_ID_LENGTH];
    buf.getBytes(start + 8, id);
    return id;
  }

  public boolean sameTransaction(byte[] id) {
    for (int i = 0; i < TRANSACTION_ID_LENGTH; i++) {
      if (buf.getByte(start + 8 + i) != id[i]) {
        return false;
      }
    }
    return true;
  }

  /** Index of the first attribute of {@code attrType} before MESSAGE-INTEGRITY, or -1. */
  public int find(int attrType) {
    for (int i = 0; i < visible; i++) {
      if (types[i] == attrType) {
        return i;
      }
    }
    return -1;
  }

  public boolean has(int attrType) {
    return find(attrType) >= 0;
  }

  /** Attributes that count (before MESSAGE-INTEGRITY); indexes run from 0 to this minus one. */
  public int attributeCount() {
    return visible;
  }

  public int attributeType(int index) {
    return types[index];
  }

  /** Absolute offset of the attribute's value in {@link #buffer()}. */
  public int valueOffset(int index) {
    return offsets[index];
  }

  public int valueLength(int index) {
    return lengths[index];
  }

  int integrityIndex() {
    return integrity;
  }

  int integritySha256Index() {
    return integritySha256;
  }

  int fingerprintIndex() {
    return fingerprint;
  }

  public boolean hasIntegrity() {
    return integrity >= 0 || integritySha256 >= 0;
  }

  public boolean hasFingerprint() {
    return fingerprint >= 0;
  }

  /** The comprehension-required attribute types this server does not understand, in order, without repeats. */
  public int[] unknownComprehensionRequired() {
    int[] unknown = NONE;
    int n = 0;
    for (int i = 0; i < visible; i++) {
      int t = types[i];
      if (!AttributeType.understood(t)) {
        boolean seen = false;
        for (int j = 0; j < n; j++) {
          seen |= unknown[j] == t;
        }
        if (!seen) {
          if (n == unknown.length) {
            unknown = Arrays.copyOf(unknown, Math.max(4, n * 2));
          }
          unknown[n++] = t;
        }
      }
    }
    return n == unknown.length ? unknown : Arrays.copyOf(unknown, n);
  }

  @Override
  public String toString() {
    return Method.name(method()) + " " + messageClass() + " (" + size() + " bytes, " + visible + " attributes)";
  }
}
