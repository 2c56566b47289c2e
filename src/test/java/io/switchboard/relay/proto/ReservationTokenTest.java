package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("RESERVATION-TOKEN")
class ReservationTokenTest {

  @Test
  @DisplayName("8 bytes round-trip (including a negative long); absent null; other lengths malformed")
  void values() {
    assertEquals(0x0123456789abcdefL,
      ReservationToken.read(Bytes.request(w -> ReservationToken.write(w, 0x0123456789abcdefL))));
    assertEquals(-2L, ReservationToken.read(Bytes.request(w -> ReservationToken.write(w, -2L))));
    assertNull(ReservationToken.read(Bytes.request(w -> { })));
    StunMessage bad = Bytes.request(w -> w.attribute(AttributeType.RESERVATION_TOKEN, new byte[4]));
    assertThrows(MalformedMessageException.class, () -> ReservationToken.read(bad));
  }
}
