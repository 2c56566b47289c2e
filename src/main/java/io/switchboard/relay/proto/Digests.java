package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/** HMACs over a message's bytes with the header's length field replaced, as both integrity attributes need. */
final class Digests {

  private static final ThreadLocal<Mac> SHA1 = ThreadLocal.withInitial(() -> mac("HmacSHA1"));
  private static final ThreadLocal<Mac> SHA256 = ThreadLocal.withInitial(() -> mac("HmacSHA256"));

  private Digests() {
  }

  private static Mac mac(String algorithm) {
    try {
      return Mac.getInstance(algorithm);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is not available", e);
    }
  }

  static byte[] hmacSha1(byte[] key, ByteBuf buf, int start, int end, int lengthField) {
    return hmac(SHA1.get(), "HmacSHA1", key, buf, start, end, lengthField);
  }

  static byte[] hmacSha256(byte[] key, ByteBuf buf, int start, int end, int lengthField) {
    return hmac(SHA256.get(), "HmacSHA256", key, buf, start, end, lengthField);
  }

  /** HMAC of bytes {@code [start, end)} of {@code buf} with the 16-bit length at {@code start + 2} replaced. */
  private static byte[] hmac(Mac mac, String algorithm, byte[] key, ByteBuf buf, int start, int end, int lengthField) {
    try {
      mac.init(new SecretKeySpec(key, algorithm));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot use the key", e);
    }
    mac.update(buf.nioBuffer(start, 2));
    mac.update((byte) (lengthField >> 8));
    mac.update((byte) lengthField);
    mac.update(buf.nioBuffer(start + 4, end - start - 4));
    return mac.doFinal();
  }

  /** Constant-time comparison of {@code expected[0, length)} with {@code length} bytes of {@code buf}. */
  static boolean equal(byte[] expected, ByteBuf buf, int offset, int length) {
    if (length > expected.length) {
      return false;
    }
    byte[] actual = new byte[length];
    buf.getBytes(offset, actual);
    return MessageDigest.isEqual(java.util.Arrays.copyOf(expected, length), actual);
  }
}
