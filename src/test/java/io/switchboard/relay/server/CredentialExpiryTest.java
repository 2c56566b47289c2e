package io.switchboard.relay.server;

import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.ice.IceServers;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.testing.StunClient;
import io.switchboard.testing.TestPorts;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The documented choice (docs/decisions.md): a credential's expiry gates new allocations; an allocation made while it
 * was valid can be refreshed, but never past credential expiry + the maximum lifetime. A relay verticle with a clock
 * the test moves.
 */
@DisplayName("relay: credential expiry gates new allocations, refreshes run until expiry + max lifetime")
@Timeout(60)
class CredentialExpiryTest {

  private static final String SECRET = "expiry-test-key-0123456789abcdefghijklmnopqrstuvwxyz";
  private static final long T0 = 1_900_000_000L;

  private final AtomicLong seconds = new AtomicLong(T0);
  private final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochSecond(seconds.get());
    }
  };
  private Vertx vertx;
  private int port;

  @BeforeEach
  void start() throws Exception {
    port = TestPorts.freeUdpBlock(12);
    JsonObject json = ConfigLoader.builtInDefault();
    json.getJsonObject("auth").put("hs256Secrets", new JsonArray().add(SECRET));
    json.getJsonObject("relay").put("port", port).put("minPort", port + 1).put("maxPort", port + 11)
      .put("maxLifetimeSeconds", 60).put("defaultLifetimeSeconds", 60)
      .put("allowedPeers", new JsonArray().add("127.0.0.0/8"));
    SwitchboardConfig.Relay relay = SwitchboardConfig.from(json).relay();
    vertx = Vertx.vertx();
    RelayServices services = RelayServices.defaults(relay, List.of(SECRET), new RelayEvents() { }, clock,
      System::nanoTime, new io.switchboard.relay.policy.ServiceEndpoints(),
      io.switchboard.relay.policy.ClusterQuota.none(), new io.switchboard.relay.usage.NodeTurnUsage(
        new io.switchboard.relay.usage.LocalCredentialRooms(() -> clock.millis() / 1000), System::nanoTime));
    vertx.deployVerticle(new RelayVerticle(services, 0)).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private StunClient client(String username) {
    return new StunClient(port).credentials(username, IceServers.restCredential(SECRET, username));
  }

  @Test
  void expiry() {
    String username = (T0 + 10) + ":carol";
    try (StunClient early = client(username); StunClient late = client(username)) {
      assertEquals(0, early.request(Method.ALLOCATE, w -> RequestedTransport.write(w, RequestedTransport.UDP))
        .errorCode());

      seconds.set(T0 + 30); // the credential expired 20 s ago
      assertEquals(401, late.request(Method.ALLOCATE, w -> RequestedTransport.write(w, RequestedTransport.UDP))
        .errorCode(), "no new allocation with an expired credential");
      StunClient.Response refreshed = early.request(Method.REFRESH, w -> Lifetime.write(w, 60));
      assertEquals(0, refreshed.errorCode(), "the existing allocation can still be refreshed");
      assertEquals(40, Lifetime.read(refreshed.message()), "but only up to expiry + max lifetime (T0 + 70)");

      seconds.set(T0 + 71);
      assertEquals(441, early.request(Method.REFRESH, w -> Lifetime.write(w, 60)).errorCode(),
        "past expiry + max lifetime: no more extensions");
    }
  }
}
