package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("REALM")
class RealmTest {

  @Test
  @DisplayName("UTF-8 round trip, absent is null, at most Realm.MAX_BYTES bytes, invalid UTF-8 refused")
  void text() {
    TextAttributeCases.check(AttributeType.REALM, Realm.MAX_BYTES, Realm::write, Realm::read);
  }
}
