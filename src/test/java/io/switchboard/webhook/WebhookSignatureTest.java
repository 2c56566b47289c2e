package io.switchboard.webhook;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Switchboard-Signature: t=<unix>,v1=<hex> per secret, HMAC-SHA256 of <t>.<body>")
class WebhookSignatureTest {

  private static final String CURRENT = "current-0123456789abcdefghijklmnopqrstuvwxyz";
  private static final String NEXT = "upcoming-0123456789abcdefghijklmnopqrstuvwxyz";
  private static final byte[] BODY = "{\"id\":\"x\",\"type\":\"room_started\"}".getBytes(StandardCharsets.UTF_8);
  private static final long NOW = 1_800_000_000L;

  @Test
  @DisplayName("the value is known HMAC-SHA256 of '<t>.<body>' (checked against an independent computation)")
  void knownValue() throws Exception {
    String header = WebhookSignature.header(List.of(CURRENT), NOW, BODY);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(CURRENT.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] expected = mac.doFinal((NOW + "." + new String(BODY, StandardCharsets.UTF_8))
      .getBytes(StandardCharsets.UTF_8));
    assertEquals("t=" + NOW + ",v1=" + java.util.HexFormat.of().formatHex(expected), header);
  }

  @Test
  @DisplayName("rotation: signed with both secrets, a receiver holding either one verifies; a third does not")
  void rotation() {
    String header = WebhookSignature.header(List.of(CURRENT, NEXT), NOW, BODY);
    assertEquals(2, header.split(",v1=").length - 1, header);
    assertTrue(WebhookSignature.verify(header, BODY, CURRENT, NOW, 300));
    assertTrue(WebhookSignature.verify(header, BODY, NEXT, NOW, 300));
    assertFalse(WebhookSignature.verify(header, BODY, "other-0123456789abcdefghijklmnopqrstuvwxyz", NOW, 300));
    String onlyNext = WebhookSignature.header(List.of(NEXT), NOW, BODY);
    assertFalse(WebhookSignature.verify(onlyNext, BODY, CURRENT, NOW, 300), "the old secret, once removed");
  }

  @Test
  @DisplayName("a changed body, a changed timestamp, an old timestamp (replay) or a malformed header fail")
  void tampering() {
    String header = WebhookSignature.header(List.of(CURRENT), NOW, BODY);
    byte[] changed = "{\"id\":\"y\",\"type\":\"room_started\"}".getBytes(StandardCharsets.UTF_8);
    assertFalse(WebhookSignature.verify(header, changed, CURRENT, NOW, 300));
    assertFalse(WebhookSignature.verify(header.replace("t=" + NOW, "t=" + (NOW + 1)), BODY, CURRENT, NOW, 300));
    assertFalse(WebhookSignature.verify(header, BODY, CURRENT, NOW + 301, 300), "replayed after 5 minutes");
    assertTrue(WebhookSignature.verify(header, BODY, CURRENT, NOW + 299, 300));
    assertFalse(WebhookSignature.verify("v1=abc", BODY, CURRENT, NOW, 300));
    assertFalse(WebhookSignature.verify("", BODY, CURRENT, NOW, 300));
  }
}
