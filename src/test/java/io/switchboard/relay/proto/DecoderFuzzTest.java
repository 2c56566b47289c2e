package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property: for any bytes, decoding and then reading every attribute either works or throws
 * {@link MalformedMessageException}; nothing else escapes. Inputs: random bytes with a STUN header, and mutations
 * (bit flips, truncations, length-field edits, spliced attributes) of valid messages, with a fixed seed so a
 * failure reproduces.
 */
@DisplayName("decoder fuzz: no exception other than MalformedMessageException escapes")
class DecoderFuzzTest {

  private static final int ROUNDS = 60_000;

  @Test
  void mutatedAndRandomInputs() {
    Random random = new Random(0x5717_4E);
    List<byte[]> seeds = List.of(Rfc5769VectorsTest.REQUEST, Rfc5769VectorsTest.IPV4_RESPONSE,
      Rfc5769VectorsTest.IPV6_RESPONSE, Rfc5769VectorsTest.LONG_TERM_REQUEST,
      Bytes.build(Method.ALLOCATE, MessageClass.REQUEST, w -> {
        RequestedTransport.write(w, 17);
        Lifetime.write(w, 600);
        EvenPort.write(w, true);
        DontFragment.write(w);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress("2001:db8::1", 9));
        ChannelNumber.write(w, 0x4001);
        PasswordAlgorithms.write(w, new int[]{1, 2});
        PasswordAlgorithm.write(w, 2);
        UnknownAttributes.write(w, new int[]{1, 2, 3});
        ErrorCodeAttribute.write(w, StunError.STALE_NONCE);
        Username.write(w, "1700000000:alice");
        w.integrity(new byte[16]).integritySha256(new byte[32]).fingerprint();
      }));
    int malformed = 0;
    for (int round = 0; round < ROUNDS; round++) {
      byte[] input = mutate(random, seeds.get(random.nextInt(seeds.size())));
      try {
        exercise(input);
      } catch (MalformedMessageException expected) {
        malformed++;
      } catch (RuntimeException e) {
        fail("input " + java.util.HexFormat.of().formatHex(input) + " threw " + e, e);
      }
    }
    if (malformed == 0 || malformed == ROUNDS) {
      fail("the mutations should produce both valid and malformed inputs, got " + malformed + " malformed");
    }
  }

  private static byte[] mutate(Random random, byte[] seed) {
    byte[] out = seed.clone();
    switch (random.nextInt(6)) {
      case 0 -> {
        for (int i = random.nextInt(4); i >= 0; i--) {
          out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case 1 -> out = java.util.Arrays.copyOf(out, random.nextInt(out.length + 8));
      case 2 -> {
        int length = out.length - 20 + (random.nextInt(9) - 4) * 4;
        out[2] = (byte) (length >> 8);
        out[3] = (byte) length;
      }
      case 3 -> {
        // random attribute header somewhere after the message header
        int at = 20 + 4 * random.nextInt(Math.max(1, (out.length - 20) / 4));
        if (at + 4 <= out.length) {
          out[at] = (byte) random.nextInt(256);
          out[at + 1] = (byte) random.nextInt(256);
          out[at + 2] = (byte) random.nextInt(2);
          out[at + 3] = (byte) random.nextInt(256);
        }
      }
      case 4 -> {
        out = new byte[20 + 4 * random.nextInt(30)];
        random.nextBytes(out);
        out[0] &= 0x3F;
        out[2] = (byte) ((out.length - 20) >> 8);
        out[3] = (byte) (out.length - 20);
        out[4] = 0x21;
        out[5] = 0x12;
        out[6] = (byte) 0xA4;
        out[7] = 0x42;
      }
      default -> {
        out = new byte[random.nextInt(64)];
        random.nextBytes(out);
      }
    }
    return out;
  }

  /** Everything the server could read from a message. */
  private static void exercise(byte[] input) {
    ByteBuf buf = Unpooled.wrappedBuffer(input);
    ChannelData.channel(buf);
    StunMessage m = StunMessage.decode(buf);
    m.unknownComprehensionRequired();
    Username.read(m);
    Realm.read(m);
    Nonce.read(m);
    Software.read(m);
    Lifetime.read(m);
    RequestedTransport.read(m);
    ChannelNumber.read(m);
    EvenPort.read(m);
    DontFragment.present(m);
    RequestedAddressFamily.read(m);
    PasswordAlgorithm.read(m);
    PasswordAlgorithms.read(m);
    UnknownAttributes.read(m);
    ErrorCodeAttribute.read(m);
    XorAddress.read(m, AttributeType.XOR_PEER_ADDRESS);
    XorAddress.read(m, AttributeType.XOR_MAPPED_ADDRESS);
    MessageIntegrity.verify(m, new byte[16]);
    MessageIntegritySha256.verify(m, new byte[32]);
    Fingerprint.verify(m);
    int data = Data.find(m);
    if (data >= 0) {
      Data.retainedSlice(m, data).release();
    }
  }
}
