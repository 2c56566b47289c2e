package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("USERNAME")
class UsernameTest {

  @Test
  @DisplayName("UTF-8 round trip, absent is null, at most Username.MAX_BYTES bytes, invalid UTF-8 refused")
  void text() {
    TextAttributeCases.check(AttributeType.USERNAME, Username.MAX_BYTES, Username::write, Username::read);
  }
}
