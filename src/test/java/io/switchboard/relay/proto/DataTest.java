package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("DATA")
class DataTest {

  @Test
  @DisplayName("payloads of every length up to 9 bytes round-trip without their padding, as a shared slice")
  void roundTrip() {
    for (int length = 0; length < 10; length++) {
      byte[] payload = new byte[length];
      for (int i = 0; i < length; i++) {
        payload[i] = (byte) (i + 1);
      }
      StunMessage m = Bytes.request(w -> Data.write(w, Unpooled.wrappedBuffer(payload), 0, payload.length));
      int index = Data.find(m);
      ByteBuf slice = Data.retainedSlice(m, index);
      assertArrayEquals(payload, ByteBufUtil.getBytes(slice));
      slice.release();
      assertEquals(0, (m.size() & 3));
    }
  }
}
