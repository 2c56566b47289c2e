package io.switchboard.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelData;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Data;
import io.switchboard.relay.proto.DontFragment;
import io.switchboard.relay.proto.ErrorCodeAttribute;
import io.switchboard.relay.proto.EvenPort;
import io.switchboard.relay.proto.Fingerprint;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.MalformedMessageException;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageIntegrity;
import io.switchboard.relay.proto.MessageIntegritySha256;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.Nonce;
import io.switchboard.relay.proto.PasswordAlgorithm;
import io.switchboard.relay.proto.PasswordAlgorithms;
import io.switchboard.relay.proto.Realm;
import io.switchboard.relay.proto.RequestedAddressFamily;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.ReservationToken;
import io.switchboard.relay.proto.Software;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.UnknownAttributes;
import io.switchboard.relay.proto.Username;
import io.switchboard.relay.proto.XorAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz target 1: the STUN/TURN decoder ({@link StunMessage#decode}), every attribute reader of relay.proto, and
 * {@link ChannelData}. The input is one datagram, as the relay's socket would hand it over.
 *
 * <p>Invariants, and what each protects:
 * <ul>
 *   <li>decoding and reading every attribute returns or throws {@link MalformedMessageException}, nothing else:
 *       anything else is counted as an internal error by the relay and is a bug a hostile client can trigger;</li>
 *   <li>the outcome is the same for the datagram alone in an exact-size buffer and inside a larger buffer after
 *       other bytes: the decoder reads only the datagram (an exact-size buffer turns an over-read into an
 *       exception; the larger one into a different outcome), and honours the reader index;</li>
 *   <li>a decoded message's attributes lie inside it, FINGERPRINT is last;</li>
 *   <li>a message whose FINGERPRINT / MESSAGE-INTEGRITY / MESSAGE-INTEGRITY-SHA256 verifies no longer verifies once
 *       one bit of what it covers is flipped: the checks cover what the RFC says they cover;</li>
 *   <li>what the readers return survives a round trip through {@link MessageWriter}: the server's answers (which
 *       echo addresses and texts) encode what was decoded;</li>
 *   <li>ChannelData: a channel is reported only in the accepted range, with a length inside the datagram and at
 *       most three padding bytes; STUN and ChannelData are never both claimed for one datagram.</li>
 * </ul>
 * {@code relay/proto/DecoderFuzzTest} keeps its seeded random mutations as a plain unit test beside this.
 */
@DisplayName("fuzz: STUN/TURN decoder, attribute readers and ChannelData")
class StunDecoderFuzzTest {

  /**
   * The keys the corpus's signed messages use: the test client's long-term keys (MD5, SHA-256) and RFC 5769's
   * short-term and long-term keys.
   */
  static final List<byte[]> KEYS = List.of(SeedCorpus.RELAY_KEY_MD5, SeedCorpus.RELAY_KEY_SHA256,
    SeedCorpus.RFC5769_SHORT_TERM_KEY, SeedCorpus.RFC5769_LONG_TERM_KEY);

  private static final FuzzStats STATS = new FuzzStats(StunDecoderFuzzTest.class, "decode");
  private static final byte[] BEFORE = {0x00, 0x01, 0x21, 0x12, (byte) 0xA4, 0x42, 0x7F};
  private static final byte[] AFTER = {0x00, 0x08, 0x00, 0x14, (byte) 0x80, 0x28, 0x00, 0x04, 0x41};

  @FuzzTest(maxDuration = "10s")
  void decode(byte[] datagram) {
    STATS.executed();
    String alone = outcome(Unpooled.wrappedBuffer(datagram), datagram);
    ByteBuf embedded = Unpooled.buffer(BEFORE.length + datagram.length + AFTER.length);
    embedded.writeBytes(BEFORE).writeBytes(datagram).writeBytes(AFTER);
    embedded.setIndex(BEFORE.length, BEFORE.length + datagram.length);
    assertEquals(alone, outcome(embedded, datagram), "the same datagram decodes differently inside a larger buffer");
  }

  @AfterAll
  static void fuzzed() {
    STATS.checkFuzzed();
  }

  /** Everything the server could read from the datagram, as text; throws on a broken invariant. */
  private static String outcome(ByteBuf buf, byte[] datagram) {
    StringBuilder out = new StringBuilder();
    boolean stun = StunMessage.looksLikeStun(buf);
    boolean channelData = ChannelData.looksLikeChannelData(buf);
    assertFalse(stun && channelData, "one datagram looks like both STUN and ChannelData");
    out.append(channelData(buf));
    StunMessage message;
    try {
      message = StunMessage.decode(buf);
    } catch (MalformedMessageException e) {
      return out.append(" malformed").toString();
    }
    assertTrue(stun, "decoded a datagram that does not look like STUN");
    structure(message, buf);
    out.append(' ').append(message).append(' ').append(ByteBufUtil.hexDump(message.transactionId()));
    for (int i = 0; i < message.attributeCount(); i++) {
      out.append(" 0x").append(Integer.toHexString(message.attributeType(i))).append('/')
        .append(message.valueLength(i));
    }
    out.append(" unknown=").append(Arrays.toString(message.unknownComprehensionRequired()));
    read(out, "username", Username::read, message);
    read(out, "realm", Realm::read, message);
    read(out, "nonce", Nonce::read, message);
    read(out, "software", Software::read, message);
    read(out, "lifetime", Lifetime::read, message);
    read(out, "transport", RequestedTransport::read, message);
    read(out, "channel", ChannelNumber::read, message);
    read(out, "even", EvenPort::read, message);
    read(out, "df", DontFragment::present, message);
    read(out, "family", RequestedAddressFamily::read, message);
    read(out, "token", ReservationToken::read, message);
    read(out, "algorithm", PasswordAlgorithm::read, message);
    read(out, "algorithms", PasswordAlgorithms::read, message);
    read(out, "algorithmsAsSent", m -> PasswordAlgorithms.valueEquals(m, new int[]{1, 2}), message);
    read(out, "unknownList", m -> {
      int[] types = UnknownAttributes.read(m);
      return types == null ? null : Arrays.toString(types);
    }, message);
    read(out, "error", ErrorCodeAttribute::read, message);
    read(out, "peer", m -> XorAddress.read(m, AttributeType.XOR_PEER_ADDRESS), message);
    read(out, "mapped", m -> XorAddress.read(m, AttributeType.XOR_MAPPED_ADDRESS), message);
    read(out, "relayed", m -> XorAddress.read(m, AttributeType.XOR_RELAYED_ADDRESS), message);
    for (int i = 0; i < message.attributeCount(); i++) {
      if (message.attributeType(i) == AttributeType.XOR_PEER_ADDRESS) {
        int index = i;
        read(out, "peer" + i, m -> XorAddress.readAt(m, index), message);
      }
    }
    int data = Data.find(message);
    if (data >= 0) {
      ByteBuf slice = Data.retainedSlice(message, data);
      out.append(" data=").append(ByteBufUtil.hexDump(slice));
      slice.release();
      assertEquals(1, buf.refCnt(), "releasing the slice did not give back what it retained");
    }
    verifications(out, message, datagram);
    roundTrips(message);
    return out.toString();
  }

  private static String channelData(ByteBuf buf) {
    int channel = ChannelData.channel(buf);
    if (channel < 0) {
      return "channel=none";
    }
    assertTrue(ChannelNumber.valid(channel), "channel " + channel + " outside the accepted range");
    assertTrue(ChannelData.looksLikeChannelData(buf), "a channel in a datagram that does not look like ChannelData");
    int length = ChannelData.dataLength(buf);
    int after = buf.readableBytes() - ChannelData.HEADER_LENGTH;
    assertTrue(length <= after && after - length <= 3, "ChannelData length " + length + " in " + after + " bytes");
    return "channel=" + channel + "/" + length;
  }

  /** Offsets and lengths inside the message; FINGERPRINT last. */
  private static void structure(StunMessage message, ByteBuf buf) {
    int start = message.start();
    assertEquals(buf.readerIndex(), start);
    assertEquals(buf.readableBytes(), message.size());
    int end = start + message.size();
    assertTrue(message.attributeCount() <= StunMessage.MAX_ATTRIBUTES);
    for (int i = 0; i < message.attributeCount(); i++) {
      int offset = message.valueOffset(i);
      assertTrue(offset >= start + StunMessage.HEADER_LENGTH + 4 && offset + message.valueLength(i) <= end,
        "attribute " + i + " outside the message");
      assertTrue(message.attributeType(i) != AttributeType.FINGERPRINT, "FINGERPRINT counted as a visible attribute");
    }
    if (message.hasFingerprint()) {
      assertEquals(AttributeType.FINGERPRINT, buf.getUnsignedShort(end - 8), "FINGERPRINT is not last");
    }
  }

  /** A check that verifies must stop verifying when one covered bit changes (the bit is chosen from the input). */
  private static void verifications(StringBuilder out, StunMessage message, byte[] datagram) {
    int covered = -1;
    if (Fingerprint.verify(message)) {
      out.append(" fingerprint");
      covered = message.size() - 8;
      int bit = flipBit(datagram, covered);
      assertFalse(verifiesAfterFlip(datagram, bit, Fingerprint::verify), "FINGERPRINT still verifies, bit " + bit);
    }
    for (int k = 0; k < KEYS.size(); k++) {
      byte[] key = KEYS.get(k);
      if (MessageIntegrity.verify(message, key)) {
        out.append(" integrity").append(k);
        int bit = flipBit(datagram, integrityStart(message, AttributeType.MESSAGE_INTEGRITY));
        assertFalse(verifiesAfterFlip(datagram, bit, m -> MessageIntegrity.verify(m, key)),
          "MESSAGE-INTEGRITY still verifies after flipping bit " + bit);
      }
      if (MessageIntegritySha256.verify(message, key)) {
        out.append(" integritySha256-").append(k);
        int bit = flipBit(datagram, integrityStart(message, AttributeType.MESSAGE_INTEGRITY_SHA256));
        assertFalse(verifiesAfterFlip(datagram, bit, m -> MessageIntegritySha256.verify(m, key)),
          "MESSAGE-INTEGRITY-SHA256 still verifies after flipping bit " + bit);
      }
    }
  }

  /** Offset (from the message start) where the first attribute of {@code type} ends: what its HMAC covers. */
  private static int integrityStart(StunMessage message, int type) {
    ByteBuf buf = message.buffer();
    int at = message.start() + StunMessage.HEADER_LENGTH;
    int end = message.start() + message.size();
    while (at + 4 <= end) {
      if (buf.getUnsignedShort(at) == type) {
        return at - message.start();
      }
      at += 4 + ((buf.getUnsignedShort(at + 2) + 3) & ~3);
    }
    throw new AssertionError("a verified integrity attribute of type 0x" + Integer.toHexString(type) + " not found");
  }

  /** A bit in {@code [0, covered * 8)} picked from the datagram's own bytes (deterministic per input). */
  private static int flipBit(byte[] datagram, int covered) {
    return Math.floorMod(Arrays.hashCode(datagram), covered * 8);
  }

  private static boolean verifiesAfterFlip(byte[] datagram, int bit, Function<StunMessage, Boolean> check) {
    byte[] flipped = datagram.clone();
    flipped[bit / 8] ^= (byte) (1 << (bit % 8));
    try {
      return check.apply(StunMessage.decode(Unpooled.wrappedBuffer(flipped)));
    } catch (MalformedMessageException e) {
      return false;
    }
  }

  /** The server writes what it decoded into answers (XOR-MAPPED-ADDRESS, texts): write, decode, compare. */
  private static void roundTrips(StunMessage message) {
    InetSocketAddress peer = readOrNull(m -> XorAddress.read(m, AttributeType.XOR_PEER_ADDRESS), message);
    String username = readOrNull(Username::read, message);
    String realm = readOrNull(Realm::read, message);
    String nonce = readOrNull(Nonce::read, message);
    String software = readOrNull(Software::read, message);
    ErrorCodeAttribute.Value error = readOrNull(ErrorCodeAttribute::read, message);
    ByteBuf out = Unpooled.buffer();
    MessageWriter writer = MessageWriter.start(out, Method.BINDING, MessageClass.SUCCESS, message.transactionId());
    if (peer != null) {
      XorAddress.write(writer, AttributeType.XOR_PEER_ADDRESS, peer);
    }
    if (username != null) {
      Username.write(writer, username);
    }
    if (realm != null) {
      Realm.write(writer, realm);
    }
    if (nonce != null) {
      Nonce.write(writer, nonce);
    }
    if (software != null) {
      Software.write(writer, software);
    }
    if (error != null) {
      ErrorCodeAttribute.write(writer, error.code(), error.reason());
    }
    writer.fingerprint();
    StunMessage again = StunMessage.decode(out);
    assertTrue(Fingerprint.verify(again));
    assertEquals(peer, readOrNull(m -> XorAddress.read(m, AttributeType.XOR_PEER_ADDRESS), again));
    assertEquals(username, readOrNull(Username::read, again));
    assertEquals(realm, readOrNull(Realm::read, again));
    assertEquals(nonce, readOrNull(Nonce::read, again));
    assertEquals(software, readOrNull(Software::read, again));
    assertEquals(error, readOrNull(ErrorCodeAttribute::read, again));
  }

  private static <T> T readOrNull(Function<StunMessage, T> reader, StunMessage message) {
    try {
      return reader.apply(message);
    } catch (MalformedMessageException e) {
      return null;
    }
  }

  private static void read(StringBuilder out, String name, Function<StunMessage, ?> reader, StunMessage message) {
    out.append(' ').append(name).append('=');
    try {
      out.append(reader.apply(message));
    } catch (MalformedMessageException e) {
      out.append("malformed");
    } catch (RuntimeException e) {
      fail(name + " threw " + e + " (only MalformedMessageException is allowed)", e);
    }
  }
}
