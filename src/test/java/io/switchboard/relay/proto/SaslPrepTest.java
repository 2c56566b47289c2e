package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("SASLprep for long-term passwords")
class SaslPrepTest {

  @Test
  @DisplayName("ASCII unchanged; soft hyphen removed; compatibility forms folded; non-ASCII spaces become spaces")
  void prepare() {
    assertEquals("VOkJxbRl1RmTxUk/WvJxBt", SaslPrep.prepare("VOkJxbRl1RmTxUk/WvJxBt"));
    assertEquals("TheMatrIX", SaslPrep.prepare("The\u00ADM\u00AAtr\u2168"));
    assertEquals("a b", SaslPrep.prepare("a\u00A0b"));
  }
}
