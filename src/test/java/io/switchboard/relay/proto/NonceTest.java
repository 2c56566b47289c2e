package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("NONCE")
class NonceTest {

  @Test
  @DisplayName("UTF-8 round trip, absent is null, at most Nonce.MAX_BYTES bytes, invalid UTF-8 refused")
  void text() {
    TextAttributeCases.check(AttributeType.NONCE, Nonce.MAX_BYTES, Nonce::write, Nonce::read);
  }
}
