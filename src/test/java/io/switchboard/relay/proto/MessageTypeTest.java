package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("message type: method and class bits")
class MessageTypeTest {

  @Test
  @DisplayName("known encodings from RFC 8489/8656")
  void known() {
    assertEquals(0x0001, MessageType.encode(Method.BINDING, MessageClass.REQUEST));
    assertEquals(0x0101, MessageType.encode(Method.BINDING, MessageClass.SUCCESS));
    assertEquals(0x0111, MessageType.encode(Method.BINDING, MessageClass.ERROR));
    assertEquals(0x0003, MessageType.encode(Method.ALLOCATE, MessageClass.REQUEST));
    assertEquals(0x0113, MessageType.encode(Method.ALLOCATE, MessageClass.ERROR));
    assertEquals(0x0016, MessageType.encode(Method.SEND, MessageClass.INDICATION));
    assertEquals(0x0017, MessageType.encode(Method.DATA, MessageClass.INDICATION));
    assertEquals(0x0109, MessageType.encode(Method.CHANNEL_BIND, MessageClass.SUCCESS));
  }

  @Test
  @DisplayName("every method and class round-trips")
  void roundTrip() {
    for (int method = 0; method < 0x1000; method++) {
      for (MessageClass cls : MessageClass.values()) {
        int type = MessageType.encode(method, cls);
        assertEquals(method, MessageType.method(type));
        assertEquals(cls, MessageType.messageClass(type));
      }
    }
  }
}
