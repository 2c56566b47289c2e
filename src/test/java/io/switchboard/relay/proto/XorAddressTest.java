package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static io.switchboard.relay.proto.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("XOR-MAPPED/PEER/RELAYED-ADDRESS")
class XorAddressTest {

  @Test
  @DisplayName("IPv4 and IPv6 round-trip through the writer, under each attribute type")
  void roundTrip() {
    for (int type : new int[]{AttributeType.XOR_MAPPED_ADDRESS, AttributeType.XOR_PEER_ADDRESS,
      AttributeType.XOR_RELAYED_ADDRESS}) {
      for (InetSocketAddress address : new InetSocketAddress[]{new InetSocketAddress("203.0.113.9", 3478),
        new InetSocketAddress("2001:db8::77", 65535), new InetSocketAddress("0.0.0.0", 0)}) {
        StunMessage m = Bytes.request(w -> XorAddress.write(w, type, address));
        assertEquals(address, XorAddress.read(m, type));
      }
    }
  }

  @Test
  @DisplayName("the RFC 5769 IPv4 value decodes to 192.0.2.1:32853")
  void rfcValue() {
    StunMessage m = Bytes.request(w -> w.attribute(AttributeType.XOR_MAPPED_ADDRESS, hex("0001a147e112a643")));
    assertEquals(new InetSocketAddress("192.0.2.1", 32853), XorAddress.read(m, AttributeType.XOR_MAPPED_ADDRESS));
  }

  @Test
  @DisplayName("absent is null; unknown family or a length that does not fit the family is malformed")
  void malformed() {
    assertNull(XorAddress.read(Bytes.request(w -> { }), AttributeType.XOR_PEER_ADDRESS));
    for (String value : new String[]{"0003a147e112a643", "0001a147e112a6", "0002a147e112a643", "0001"}) {
      StunMessage m = Bytes.request(w -> w.attribute(AttributeType.XOR_PEER_ADDRESS, hex(value)));
      assertThrows(MalformedMessageException.class, () -> XorAddress.read(m, AttributeType.XOR_PEER_ADDRESS), value);
    }
  }
}
