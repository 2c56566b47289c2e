package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("DONT-FRAGMENT")
class DontFragmentTest {

  @Test
  @DisplayName("present or not; a value is malformed")
  void values() {
    assertTrue(DontFragment.present(Bytes.request(DontFragment::write)));
    assertFalse(DontFragment.present(Bytes.request(w -> { })));
    StunMessage bad = Bytes.request(w -> w.attribute(AttributeType.DONT_FRAGMENT, new byte[4]));
    assertThrows(MalformedMessageException.class, () -> DontFragment.present(bad));
  }
}
