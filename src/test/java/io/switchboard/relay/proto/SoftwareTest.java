package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SOFTWARE")
class SoftwareTest {

  @Test
  @DisplayName("UTF-8 round trip, absent is null, at most Software.MAX_BYTES bytes, invalid UTF-8 refused")
  void text() {
    TextAttributeCases.check(AttributeType.SOFTWARE, Software.MAX_BYTES, Software::write, Software::read);
  }
}
