package io.switchboard.relay.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static io.switchboard.relay.proto.Bytes.decode;
import static io.switchboard.relay.proto.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test vectors of RFC 5769, byte for byte as published. */
@DisplayName("RFC 5769 test vectors")
class Rfc5769VectorsTest {

  static final byte[] SHORT_TERM_KEY = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);

  static final byte[] REQUEST = hex("""
    000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74
    002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020
    000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf""");

  static final byte[] IPV4_RESPONSE = hex("""
    0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220
    002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7
    80280004c07d4c96""");

  static final byte[] IPV6_RESPONSE = hex("""
    010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220
    002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014a382954e4be67bf1
    1784c97c8292c275bfe3ed4180280004c8fb0b4c""");

  static final byte[] LONG_TERM_REQUEST = hex("""
    000100602112a44278ad3433c6ad72c029da412e00060012e3839ee38388e383aae38383
    e382afe382b900000015001c662f2f3439396b39353464364f4c33346f4c394653547679
    363473410014000b6578616d706c652e6f72670000080014f67024656dd64a3e02b8e071
    2e85c9a28ca89666""");

  @Test
  @DisplayName("2.1 sample request: Binding, SOFTWARE, USERNAME, ICE attributes, integrity and fingerprint verify")
  void sampleRequest() {
    StunMessage m = decode(REQUEST);
    assertTrue(m.is(Method.BINDING, MessageClass.REQUEST));
    assertEquals("STUN test client", Software.read(m));
    assertEquals("evtj:h6vY", Username.read(m));
    assertEquals(0, m.unknownComprehensionRequired().length, "PRIORITY is understood, ICE-CONTROLLED optional");
    assertTrue(MessageIntegrity.verify(m, SHORT_TERM_KEY));
    assertTrue(Fingerprint.verify(m));
    assertFalse(MessageIntegrity.verify(m, "wrong".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  @DisplayName("2.2 IPv4 response: XOR-MAPPED-ADDRESS 192.0.2.1:32853")
  void ipv4Response() {
    StunMessage m = decode(IPV4_RESPONSE);
    assertTrue(m.is(Method.BINDING, MessageClass.SUCCESS));
    assertEquals("test vector", Software.read(m));
    assertEquals(new InetSocketAddress("192.0.2.1", 32853), XorAddress.read(m, AttributeType.XOR_MAPPED_ADDRESS));
    assertTrue(MessageIntegrity.verify(m, SHORT_TERM_KEY));
    assertTrue(Fingerprint.verify(m));
  }

  @Test
  @DisplayName("2.3 IPv6 response: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853")
  void ipv6Response() {
    StunMessage m = decode(IPV6_RESPONSE);
    assertEquals(new InetSocketAddress("2001:db8:1234:5678:11:2233:4455:6677", 32853),
      XorAddress.read(m, AttributeType.XOR_MAPPED_ADDRESS));
    assertTrue(MessageIntegrity.verify(m, SHORT_TERM_KEY));
    assertTrue(Fingerprint.verify(m));
  }

  @Test
  @DisplayName("2.4 long-term credentials: the key is MD5(user:realm:SASLprep(password)); every flipped byte fails")
  void longTermRequest() {
    StunMessage m = decode(LONG_TERM_REQUEST);
    String user = Username.read(m);
    assertEquals("\u30de\u30c8\u30ea\u30c3\u30af\u30b9", user);
    assertEquals("example.org", Realm.read(m));
    assertEquals("f//499k954d6OL34oL9FSTvy64sA", Nonce.read(m));
    // the password as published, before SASLprep: soft hyphen, feminine ordinal, roman numeral nine
    byte[] key = LongTermKey.md5(user, "example.org", "The\u00ADM\u00AAtr\u2168");
    assertArrayEquals(LongTermKey.md5(user, "example.org", "TheMatrIX"), key);
    assertTrue(MessageIntegrity.verify(m, key));
    assertFalse(m.hasFingerprint());
    for (int i = 0; i < LONG_TERM_REQUEST.length - 20; i++) {
      byte[] bad = LONG_TERM_REQUEST.clone();
      bad[i] ^= 0x01;
      boolean verified;
      try {
        verified = MessageIntegrity.verify(decode(bad), key);
      } catch (MalformedMessageException e) {
        verified = false;
      }
      assertFalse(verified, "flipped byte " + i);
    }
  }

  @Test
  @DisplayName("what the writer produces verifies the same way (integrity then fingerprint)")
  void writerRoundTrip() {
    byte[] bytes = Bytes.build(Method.BINDING, MessageClass.SUCCESS, w -> {
      Software.write(w, "test vector");
      XorAddress.write(w, AttributeType.XOR_MAPPED_ADDRESS, new InetSocketAddress("192.0.2.1", 32853));
      w.integrity(SHORT_TERM_KEY).fingerprint();
    });
    StunMessage m = decode(bytes);
    assertTrue(MessageIntegrity.verify(m, SHORT_TERM_KEY));
    assertTrue(Fingerprint.verify(m));
    // same attribute bytes as the vector up to the padding byte of SOFTWARE, which the RFC pads with a space
    assertArrayEquals(java.util.Arrays.copyOfRange(IPV4_RESPONSE, 36, 52),
      java.util.Arrays.copyOfRange(bytes, 36, 52));
  }
}
