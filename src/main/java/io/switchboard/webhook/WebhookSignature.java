package io.switchboard.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code Switchboard-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]}: HMAC-SHA256 under each configured secret
 * of {@code <t>.<body bytes>}. The timestamp is signed, so a receiver that refuses old timestamps refuses replays;
 * one {@code v1} per secret, so receivers can switch secrets while both are configured.
 */
public final class WebhookSignature {

  public static final String HEADER = "Switchboard-Signature";
  private static final String ALGORITHM = "HmacSHA256";

  private WebhookSignature() {
  }

  /** The header's value for {@code body} sent at {@code unixSeconds}. */
  public static String header(List<String> secrets, long unixSeconds, byte[] body) {
    StringBuilder header = new StringBuilder("t=").append(unixSeconds);
    for (String secret : secrets) {
      header.append(",v1=").append(HexFormat.of().formatHex(mac(secret, unixSeconds, body)));
    }
    return header.toString();
  }

  /**
   * What a receiver does: true when some {@code v1} of the header is the HMAC of {@code body} under
   * {@code secret} and its {@code t} is within {@code toleranceSeconds} of {@code nowSeconds}.
   */
  public static boolean verify(String header, byte[] body, String secret, long nowSeconds, long toleranceSeconds) {
    long timestamp = -1;
    List<byte[]> signatures = new java.util.ArrayList<>();
    for (String part : header.split(",")) {
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq).trim();
      String value = eq < 0 ? "" : part.substring(eq + 1).trim();
      if (name.equals("t") && value.matches("\\d{1,18}")) {
        timestamp = Long.parseLong(value);
      } else if (name.equals("v1") && value.matches("[0-9a-f]{64}")) {
        signatures.add(HexFormat.of().parseHex(value));
      }
    }
    if (timestamp < 0 || Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
      return false;
    }
    byte[] expected = mac(secret, timestamp, body);
    return signatures.stream().anyMatch(s -> MessageDigest.isEqual(expected, s));
  }

  private static byte[] mac(String secret, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is part of every Java runtime", e);
    }
  }
}
