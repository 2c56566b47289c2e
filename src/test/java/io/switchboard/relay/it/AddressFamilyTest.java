package io.switchboard.relay.it;

import io.switchboard.relay.proto.AdditionalAddressFamily;
import io.switchboard.relay.proto.AddressErrorCode;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedAddressFamily;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.StunClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Inet4Address;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Address families on an IPv4 relay (RFC 8656 sections 7.2, 8.2, 10.2, 12.2): an Allocate asking for another family
 * gets 440, a dual one gets its IPv4 address and ADDRESS-ERROR-CODE 440 for IPv6, a peer (or a Refresh) of another
 * family gets 443. {@code ::1} is an allowed peer here, so the peer policy (403, checked
 * first) lets it through to the family check; nothing is ever sent to it.
 */
@DisplayName("relay: 440 for a relayed address family it has not, 443 for a peer of another family")
@Timeout(60)
class AddressFamilyTest {

  private static final InetSocketAddress IPV6_PEER = new InetSocketAddress("::1", 4000);

  private static RelayTestNode node;

  @BeforeAll
  static void start() {
    node = RelayTestNode.start(new JsonObject().put("allowedPeers", new JsonArray().add("127.0.0.0/8").add("::1")));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static StunClient restClient(String identity) {
    String username = RelayTestNode.restUsername(identity, 3600);
    return new StunClient(node.relayPort()).credentials(username, RelayTestNode.restPassword(username));
  }

  private static StunClient.Response allocate(StunClient client, int family) {
    return client.request(Method.ALLOCATE, w -> {
      RequestedTransport.write(w, RequestedTransport.UDP);
      RequestedAddressFamily.write(w, family);
    });
  }

  @Test
  @DisplayName("REQUESTED-ADDRESS-FAMILY IPv6 or an unknown family: 440, nothing allocated; IPv4: an IPv4 address")
  void requestedAddressFamily() {
    try (StunClient client = restClient("family")) {
      assertEquals(440, allocate(client, XorAddress.FAMILY_IPV6).errorCode());
      assertEquals(440, allocate(client, 0x03).errorCode());
      StunClient.Response ipv4 = allocate(client, XorAddress.FAMILY_IPV4);
      assertEquals(0, ipv4.errorCode(), "the refused Allocates left no allocation behind (else 437)");
      assertTrue(ipv4.relayed().getAddress() instanceof Inet4Address, ipv4.relayed().toString());
    }
  }

  @Test
  @DisplayName("CreatePermission and ChannelBind to an IPv6 peer from an IPv4 allocation: 443")
  void peerAddressFamilyMismatch() {
    try (StunClient client = restClient("peer-family")) {
      assertEquals(0, allocate(client, XorAddress.FAMILY_IPV4).errorCode());
      assertEquals(443, client.request(Method.CREATE_PERMISSION,
        w -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, IPV6_PEER)).errorCode());
      assertEquals(443, client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, 0x4001);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, IPV6_PEER);
      }).errorCode());
      // the same requests to an IPv4 peer succeed: the refusals were about the family
      InetSocketAddress ipv4Peer = new InetSocketAddress("127.0.0.1", 4000);
      assertEquals(0, client.request(Method.CREATE_PERMISSION,
        w -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, ipv4Peer)).errorCode());
      assertEquals(0, client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, 0x4001);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, ipv4Peer);
      }).errorCode());
    }
  }

  @Test
  @DisplayName("ADDITIONAL-ADDRESS-FAMILY IPv6 without IPv6 relaying: the IPv4 address, ADDRESS-ERROR-CODE 440 for "
    + "IPv6; a Refresh naming IPv6 is 443")
  void additionalFamilyNotConfigured() {
    try (StunClient client = restClient("additional")) {
      StunClient.Response partial = client.request(Method.ALLOCATE, w -> {
        RequestedTransport.write(w, RequestedTransport.UDP);
        AdditionalAddressFamily.write(w, XorAddress.FAMILY_IPV6);
      });
      assertEquals(0, partial.errorCode(), "RFC 8656 section 7.2 step 9: partly met is still a success");
      assertEquals(1, partial.allRelayed().size());
      assertTrue(partial.relayed().getAddress() instanceof Inet4Address, partial.relayed().toString());
      AddressErrorCode.Value error = AddressErrorCode.read(partial.message());
      assertNotNull(error);
      assertEquals(XorAddress.FAMILY_IPV6, error.family());
      assertEquals(440, error.code());
      assertEquals(443, client.request(Method.REFRESH, w -> {
        Lifetime.write(w, 600);
        RequestedAddressFamily.write(w, XorAddress.FAMILY_IPV6);
      }).errorCode());
      assertEquals(0, client.request(Method.REFRESH, w -> Lifetime.write(w, 0)).errorCode());

      // asked under the drafts' number (coturn 4.6), answered under the drafts' ADDRESS-ERROR-CODE number
      StunClient.Response draft = client.request(Method.ALLOCATE, w -> {
        RequestedTransport.write(w, RequestedTransport.UDP);
        AdditionalAddressFamily.write(w, AttributeType.ADDITIONAL_ADDRESS_FAMILY_DRAFT, XorAddress.FAMILY_IPV6);
      });
      assertEquals(0, draft.errorCode());
      assertTrue(draft.message().find(AttributeType.ADDRESS_ERROR_CODE_DRAFT) >= 0);
      assertEquals(440, AddressErrorCode.read(draft.message()).code());
    }
  }
}
