package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("LIFETIME")
class LifetimeTest {

  @Test
  @DisplayName("unsigned 32-bit seconds; absent is -1; wrong length malformed")
  void values() {
    assertEquals(600, Lifetime.read(Bytes.request(w -> Lifetime.write(w, 600))));
    assertEquals(0, Lifetime.read(Bytes.request(w -> Lifetime.write(w, 0))));
    assertEquals(0xFFFFFFFFL, Lifetime.read(Bytes.request(w -> Lifetime.write(w, 0xFFFFFFFFL))));
    assertEquals(-1, Lifetime.read(Bytes.request(w -> { })));
    StunMessage bad = Bytes.request(w -> w.attribute(AttributeType.LIFETIME, new byte[2]));
    assertThrows(MalformedMessageException.class, () -> Lifetime.read(bad));
  }
}
