package io.switchboard.relay.it;

import io.switchboard.relay.proto.EvenPort;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedAddressFamily;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.ReservationToken;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.RelayTestNode;
import io.switchboard.testing.StunClient;
import io.switchboard.testing.TestPorts;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * EVEN-PORT, its R bit and RESERVATION-TOKEN (RFC 8656 section 7.2), and 508 when no relay port fits, over UDP
 * against a live relay. Where the port a request gets must be certain, the relay has a range of three ports
 * {odd, even, odd}: one even port, one even-odd pair.
 */
@DisplayName("relay: EVEN-PORT, RESERVATION-TOKEN and 508")
@Timeout(60)
class EvenPortReservationTest {

  private static RelayTestNode node;

  @BeforeAll
  static void start() {
    node = RelayTestNode.start(new JsonObject());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static StunClient restClient(RelayTestNode relay, String identity) {
    String username = RelayTestNode.restUsername(identity, 3600);
    return new StunClient(relay.relayPort()).credentials(username, RelayTestNode.restPassword(username));
  }

  private static StunClient.Response allocate(StunClient client, Consumer<MessageWriter> options) {
    return client.request(Method.ALLOCATE, w -> {
      RequestedTransport.write(w, RequestedTransport.UDP);
      options.accept(w);
    });
  }

  private static StunClient.Response allocate(StunClient client) {
    return allocate(client, w -> { });
  }

  /** The relayed port of a successful Allocate. */
  private static int relayedPort(StunClient.Response response) {
    assertEquals(0, response.errorCode());
    return response.relayed().getPort();
  }

  private static StunClient.Response allocateEven(StunClient client, boolean reserveNext) {
    return allocate(client, w -> EvenPort.write(w, reserveNext));
  }

  private static StunClient.Response allocateReserved(StunClient client, long token) {
    return allocate(client, w -> ReservationToken.write(w, token));
  }

  /** An even port, the next one held under a token. */
  private record Reserved(int port, long token) {
  }

  private static Reserved reserve(StunClient client) {
    StunClient.Response response = allocateEven(client, true);
    int port = relayedPort(response);
    Long token = ReservationToken.read(response.message());
    assertNotNull(token, "EVEN-PORT with R answers a RESERVATION-TOKEN");
    return new Reserved(port, token);
  }

  /** A relay whose ports are exactly {first, first + 1, first + 2}, first odd. */
  private static RelayTestNode threePortRelay(int first) {
    return RelayTestNode.start(new JsonObject().put("minPort", first).put("maxPort", first + 2));
  }

  /** An odd port with it and the two above it free now (a block of four holds three from its first odd port). */
  private static int oddFirstOfThreeFreePorts() {
    return TestPorts.freeUdpBlock(4) | 1;
  }

  @Test
  @DisplayName("EVEN-PORT with R: an even port, and the token's Allocate (another client) gets exactly port + 1")
  void tokenGetsTheNextPort() {
    try (StunClient reserver = restClient(node, "reserver"); StunClient taker = restClient(node, "taker")) {
      Reserved reserved = reserve(reserver);
      assertEquals(0, reserved.port() % 2, "port " + reserved.port() + " is not even");
      StunClient.Response taken = allocateReserved(taker, reserved.token());
      assertEquals(reserved.port() + 1, relayedPort(taken));
      assertNull(ReservationToken.read(taken.message()), "taking a reservation reserves nothing more");
    }
  }

  @Test
  @DisplayName("a token is good for one Allocate: used again once its port is free again, it gets 508")
  void tokenIsSingleUse() {
    try (StunClient reserver = restClient(node, "once"); StunClient first = restClient(node, "once-first");
         StunClient second = restClient(node, "once-second")) {
      Reserved reserved = reserve(reserver);
      assertEquals(0, allocateReserved(first, reserved.token()).errorCode());
      // the port goes back to the range, so only the token itself can stop a second use
      assertEquals(0, first.request(Method.REFRESH, w -> Lifetime.write(w, 0)).errorCode());
      assertEquals(508, allocateReserved(second, reserved.token()).errorCode());
      assertEquals(0, allocate(second).errorCode(), "the refused Allocate left nothing behind");
    }
  }

  @Test
  @DisplayName("a token never issued gets 508; a token with EVEN-PORT or REQUESTED-ADDRESS-FAMILY gets 400")
  void badTokens() {
    try (StunClient reserver = restClient(node, "bad-token"); StunClient client = restClient(node, "bad-token-2")) {
      assertEquals(508, allocateReserved(client, ThreadLocalRandom.current().nextLong()).errorCode());
      Reserved reserved = reserve(reserver);
      assertEquals(400, allocate(client, w -> {
        ReservationToken.write(w, reserved.token());
        EvenPort.write(w, false);
      }).errorCode());
      assertEquals(400, allocate(client, w -> {
        ReservationToken.write(w, reserved.token());
        RequestedAddressFamily.write(w, XorAddress.FAMILY_IPV4);
      }).errorCode());
      // refused for the conflict, not spent: the token still gets its port
      assertEquals(reserved.port() + 1, relayedPort(allocateReserved(client, reserved.token())));
    }
  }

  @Test
  @DisplayName("EVEN-PORT without R takes the one even port; a second gets 508 while odd ports are free; "
    + "a full range gets 508")
  void evenPortAndFullRange() throws Exception {
    int first = oddFirstOfThreeFreePorts();
    List<StunClient> clients = new ArrayList<>();
    try (RelayTestNode relay = threePortRelay(first)) {
      for (int i = 0; i < 5; i++) {
        clients.add(restClient(relay, "range-" + i));
      }
      StunClient.Response even = allocateEven(clients.get(0), false);
      assertEquals(first + 1, relayedPort(even));
      assertNull(ReservationToken.read(even.message()), "no R bit, nothing reserved");
      assertEquals(508, allocateEven(clients.get(1), false).errorCode(), "no even port left");
      assertEquals(508, allocateEven(clients.get(1), true).errorCode(), "no even-odd pair left");
      int a = relayedPort(allocate(clients.get(2)));
      int b = relayedPort(allocate(clients.get(3)));
      assertEquals(2 * first + 2, a + b, "the two odd ports " + first + " and " + (first + 2));
      assertEquals(508, allocate(clients.get(4)).errorCode(), "every relay port taken");
    } finally {
      clients.forEach(StunClient::close);
    }
  }

  @Test
  @DisplayName("EVEN-PORT with R takes the even-odd pair: the odd port is held for the token, not handed out")
  void reservedPortIsHeld() throws Exception {
    int first = oddFirstOfThreeFreePorts();
    List<StunClient> clients = new ArrayList<>();
    try (RelayTestNode relay = threePortRelay(first)) {
      for (int i = 0; i < 4; i++) {
        clients.add(restClient(relay, "held-" + i));
      }
      Reserved reserved = reserve(clients.get(0));
      assertEquals(first + 1, reserved.port(), "the only even port with a free port above it");
      assertEquals(first, relayedPort(allocate(clients.get(1))), "the only port neither taken nor held");
      assertEquals(508, allocate(clients.get(2)).errorCode(), "the held port is not handed out");
      assertEquals(first + 2, relayedPort(allocateReserved(clients.get(3), reserved.token())));
    } finally {
      clients.forEach(StunClient::close);
    }
  }
}
