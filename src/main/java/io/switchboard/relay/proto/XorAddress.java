package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS (RFC 8489 section 14.2, RFC 8656 sections 18.3,
 * 18.5): family, port XOR the cookie's top 16 bits, address XOR the cookie (IPv4) or the cookie and the
 * transaction id (IPv6).
 */
public final class XorAddress {

  public static final int FAMILY_IPV4 = 0x01;
  public static final int FAMILY_IPV6 = 0x02;

  private XorAddress() {
  }

  /** The first attribute of {@code type}, or null when absent; malformed when its value is. */
  public static InetSocketAddress read(StunMessage message, int type) {
    int index = message.find(type);
    return index < 0 ? null : read(message, index, type);
  }

  /** The address in attribute {@code index} (one of several XOR-PEER-ADDRESS of a CreatePermission). */
  public static InetSocketAddress readAt(StunMessage message, int index) {
    return read(message, index, message.attributeType(index));
  }

  static InetSocketAddress read(StunMessage message, int index, int type) {
    ByteBuf buf = message.buffer();
    int at = message.valueOffset(index);
    int length = message.valueLength(index);
    if (length < 4) {
      throw new MalformedMessageException("address attribute too short");
    }
    int family = buf.getUnsignedByte(at + 1);
    int port = buf.getUnsignedShort(at + 2) ^ (StunMessage.MAGIC_COOKIE >>> 16);
    byte[] address;
    if (family == FAMILY_IPV4 && length == 8) {
      address = new byte[4];
      buf.getBytes(at + 4, address);
      xor(address, buf, message.start() + 4);
    } else if (family == FAMILY_IPV6 && length == 20) {
      address = new byte[16];
      buf.getBytes(at + 4, address);
      xor(address, buf, message.start() + 4);
    } else {
      throw new MalformedMessageException("address attribute 0x" + Integer.toHexString(type) + " has family "
        + family + " and length " + length);
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(address), port);
    } catch (UnknownHostException e) {
      throw new MalformedMessageException("bad address");
    }
  }

  /** XORs {@code address} with the bytes from the magic cookie on (cookie, then the transaction id). */
  private static void xor(byte[] address, ByteBuf buf, int cookieOffset) {
    for (int i = 0; i < address.length; i++) {
      address[i] ^= buf.getByte(cookieOffset + i);
    }
  }

  public static void write(MessageWriter writer, int type, InetSocketAddress address) {
    byte[] raw = address.getAddress().getAddress();
    ByteBuf out = writer.buffer();
    writer.header(type, 4 + raw.length);
    out.writeByte(0);
    out.writeByte(raw.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6);
    out.writeShort(address.getPort() ^ (StunMessage.MAGIC_COOKIE >>> 16));
    int cookieOffset = writer.start() + 4;
    for (int i = 0; i < raw.length; i++) {
      out.writeByte(raw[i] ^ out.getByte(cookieOffset + i));
    }
    writer.pad(4 + raw.length);
  }
}
