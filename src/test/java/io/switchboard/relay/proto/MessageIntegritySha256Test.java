package io.switchboard.relay.proto;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("MESSAGE-INTEGRITY-SHA256")
class MessageIntegritySha256Test {

  private static final byte[] KEY = LongTermKey.sha256("alice", "switchboard", "pass");

  @Test
  @DisplayName("verifies alone, after MESSAGE-INTEGRITY and before FINGERPRINT; wrong key fails")
  void verify() {
    StunMessage alone = Bytes.request(w -> {
      Username.write(w, "alice");
      w.integritySha256(KEY);
    });
    StunMessage both = Bytes.request(w -> {
      Username.write(w, "alice");
      w.integrity(KEY).integritySha256(KEY).fingerprint();
    });
    assertTrue(MessageIntegritySha256.verify(alone, KEY));
    assertTrue(MessageIntegritySha256.verify(both, KEY));
    assertTrue(MessageIntegrity.verify(both, KEY));
    assertTrue(Fingerprint.verify(both));
    assertFalse(MessageIntegritySha256.verify(alone, LongTermKey.sha256("alice", "switchboard", "x")));
  }

  @Test
  @DisplayName("a sender may truncate to 16 bytes; shorter or not a multiple of 4 is malformed")
  void truncation() {
    byte[] full = Bytes.build(Method.BINDING, MessageClass.REQUEST, w -> {
      Username.write(w, "bob");
      w.integritySha256(KEY);
    });
    // rewrite the attribute as its first 16 bytes, with the header length adjusted, then recompute nothing:
    // the HMAC covers the length field, so a truncated value needs the length it had when it was computed
    io.netty.buffer.ByteBuf out = Unpooled.buffer();
    MessageWriter w = MessageWriter.start(out, Method.BINDING, MessageClass.REQUEST, Bytes.TX);
    Username.write(w, "bob");
    int end = out.writerIndex();
    int lengthField = end - 20 + 4 + 16;
    w.setLength(lengthField);
    byte[] hmac = Digests.hmacSha256(KEY, out, 0, end, lengthField);
    w.attribute(AttributeType.MESSAGE_INTEGRITY_SHA256, hmac, 0, 16);
    assertTrue(MessageIntegritySha256.verify(Bytes.decode(io.netty.buffer.ByteBufUtil.getBytes(out)), KEY));
    assertTrue(full.length > 0);
    assertThrows(MalformedMessageException.class,
      () -> Bytes.request(x -> x.attribute(AttributeType.MESSAGE_INTEGRITY_SHA256, new byte[12])));
    assertThrows(MalformedMessageException.class,
      () -> Bytes.request(x -> x.attribute(AttributeType.MESSAGE_INTEGRITY_SHA256, new byte[18])));
  }
}
