package io.switchboard.relay.server;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.LongSupplier;

/**
 * Stateless nonces (RFC 8489 section 9.2): {@code obMatJos2} + the security-feature bits (password algorithms) +
 * the issue time + an HMAC-SHA256 of time and client address under a key made at start. Checking needs no stored
 * state, so nothing is kept for a client before its MESSAGE-INTEGRITY verifies; a nonce is tied to the address
 * it was issued to and goes stale after {@code lifetimeSeconds} (438).
 */
public final class NonceService {

  /** RFC 8489 section 9.2: the "nonce cookie", then base64 of the 24 feature bits: bit 0, password algorithms. */
  static final String PREFIX = "obMatJos2" + "gAAA";
  private static final int TIME_HEX = 8;
  private static final int MAC_BYTES = 12;
  private static final int LENGTH = PREFIX.length() + TIME_HEX + 2 * MAC_BYTES;
  /** A nonce dated this far in the future is not ours (clock steps happen; more does not). */
  private static final long MAX_FUTURE_SECONDS = 5;

  /** The outcome of checking a nonce. */
  public enum Check { VALID, STALE, INVALID }

  private final byte[] key;
  private final long lifetimeSeconds;
  private final LongSupplier epochSeconds;
  private final ThreadLocal<Mac> mac;

  public NonceService(long lifetimeSeconds, LongSupplier epochSeconds) {
    this.key = new byte[32];
    new SecureRandom().nextBytes(key);
    this.lifetimeSeconds = lifetimeSeconds;
    this.epochSeconds = epochSeconds;
    this.mac = ThreadLocal.withInitial(() -> {
      try {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(key, "HmacSHA256"));
        return m;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is not available", e);
      }
    });
  }

  public String issue(InetSocketAddress client) {
    long now = epochSeconds.getAsLong();
    String time = String.format("%08x", now & 0xFFFFFFFFL);
    return PREFIX + time + HexFormat.of().formatHex(mac(time, client));
  }

  public Check check(String nonce, InetSocketAddress client) {
    if (nonce.length() != LENGTH || !nonce.startsWith(PREFIX)) {
      return Check.INVALID;
    }
    String time = nonce.substring(PREFIX.length(), PREFIX.length() + TIME_HEX);
    byte[] given;
    long issued;
    try {
      issued = Long.parseLong(time, 16);
      given = HexFormat.of().parseHex(nonce, PREFIX.length() + TIME_HEX, LENGTH);
    } catch (IllegalArgumentException e) {
      return Check.INVALID;
    }
    if (!MessageDigest.isEqual(given, mac(time, client))) {
      return Check.INVALID;
    }
    long now = epochSeconds.getAsLong() & 0xFFFFFFFFL;
    long age = now - issued;
    if (age < -MAX_FUTURE_SECONDS) {
      return Check.INVALID;
    }
    return age >= lifetimeSeconds ? Check.STALE : Check.VALID;
  }

  private byte[] mac(String time, InetSocketAddress client) {
    Mac m = mac.get();
    m.update(time.getBytes(StandardCharsets.US_ASCII));
    m.update(client.getAddress().getAddress());
    m.update(ByteBuffer.allocate(2).putShort(0, (short) client.getPort()));
    byte[] full = m.doFinal();
    byte[] out = new byte[MAC_BYTES];
    System.arraycopy(full, 0, out, 0, MAC_BYTES);
    return out;
  }
}
