package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchboard.relay.proto.AdditionalAddressFamily;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.EvenPort;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedAddressFamily;
import io.switchboard.relay.proto.StunError;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.XorAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** RFC 8656 section 7.2 steps 6-9, one relay configuration at a time: which families an Allocate gets. */
@DisplayName("Allocate address families (RFC 8656 section 7.2 steps 6-9)")
class AllocateFamiliesTest {

  private static final RelayFamilies.Side V4 = side("192.0.2.1");
  private static final RelayFamilies.Side V6 = side("2001:db8::1");
  private static final RelayFamilies BOTH = new RelayFamilies(V4, V6);
  private static final RelayFamilies ONLY4 = new RelayFamilies(V4, null);
  private static final RelayFamilies ONLY6 = new RelayFamilies(null, V6);

  private static RelayFamilies.Side side(String address) {
    try {
      InetAddress bind = InetAddress.getByName(address);
      return new RelayFamilies.Side(bind, bind);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static StunMessage allocate(Consumer<MessageWriter> attributes) {
    ByteBuf out = Unpooled.buffer();
    MessageWriter writer = MessageWriter.start(out, Method.ALLOCATE, MessageClass.REQUEST, new byte[12]);
    attributes.accept(writer);
    return StunMessage.decode(out);
  }

  private static AllocateFamilies choose(RelayFamilies families, Consumer<MessageWriter> attributes) {
    return AllocateFamilies.choose(allocate(attributes), families, EvenPort.Request.NONE);
  }

  @Test
  @DisplayName("step 7: no attribute is IPv4, 440 where IPv4 is not relayed; a requested family is given or 440")
  void requested() {
    assertSame(V4, choose(BOTH, w -> { }).primary());
    assertEquals(StunError.ADDRESS_FAMILY_NOT_SUPPORTED, choose(ONLY6, w -> { }).refusal());
    assertSame(V6, choose(BOTH, w -> RequestedAddressFamily.write(w, XorAddress.FAMILY_IPV6)).primary());
    assertSame(V6, choose(ONLY6, w -> RequestedAddressFamily.write(w, XorAddress.FAMILY_IPV6)).primary());
    assertEquals(StunError.ADDRESS_FAMILY_NOT_SUPPORTED,
      choose(ONLY4, w -> RequestedAddressFamily.write(w, XorAddress.FAMILY_IPV6)).refusal());
    assertEquals(StunError.ADDRESS_FAMILY_NOT_SUPPORTED, choose(BOTH, w -> RequestedAddressFamily.write(w, 7))
      .refusal());
  }

  @Test
  @DisplayName("steps 6, 8, 9: both attributes, EVEN-PORT R, ADDITIONAL IPv4 or unknown are 400; IPv6 is dual, or "
    + "IPv4 alone with 440 for IPv6; a relay without IPv4 refuses with 440 first")
  void additional() {
    Consumer<MessageWriter> dual = w -> AdditionalAddressFamily.write(w, XorAddress.FAMILY_IPV6);
    assertEquals(StunError.BAD_REQUEST, choose(BOTH, w -> {
      RequestedAddressFamily.write(w, XorAddress.FAMILY_IPV4);
      dual.accept(w);
    }).refusal());
    assertEquals(StunError.BAD_REQUEST,
      AllocateFamilies.choose(allocate(dual), BOTH, EvenPort.Request.EVEN_AND_RESERVE_NEXT).refusal());
    assertEquals(StunError.BAD_REQUEST,
      choose(BOTH, w -> AdditionalAddressFamily.write(w, XorAddress.FAMILY_IPV4)).refusal());
    assertEquals(StunError.BAD_REQUEST, choose(BOTH, w -> AdditionalAddressFamily.write(w, 9)).refusal());

    AllocateFamilies both = choose(BOTH, dual);
    assertSame(V4, both.primary());
    assertSame(V6, both.additional());
    assertNull(both.additionalError());
    AllocateFamilies partial = choose(ONLY4, dual);
    assertSame(V4, partial.primary());
    assertNull(partial.additional());
    assertEquals(StunError.ADDRESS_FAMILY_NOT_SUPPORTED, partial.additionalError());
    assertEquals(AttributeType.ADDRESS_ERROR_CODE, partial.addressErrorType());
    assertEquals(StunError.ADDRESS_FAMILY_NOT_SUPPORTED, choose(ONLY6, dual).refusal());
    assertEquals(AttributeType.ADDRESS_ERROR_CODE_DRAFT, choose(ONLY4, w -> AdditionalAddressFamily.write(w,
      AttributeType.ADDITIONAL_ADDRESS_FAMILY_DRAFT, XorAddress.FAMILY_IPV6)).addressErrorType());
  }
}
