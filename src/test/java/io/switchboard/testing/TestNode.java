package io.switchboard.testing;

import com.hazelcast.core.HazelcastInstance;
import io.switchboard.Node;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** A real Switchboard node on a free loopback port, configured for tests with a known HS256 key. */
public final class TestNode implements AutoCloseable {

  public static final String JWT_KEY = "hs256-test-key-0123456789abcdefghijklmnopqrstuvwxyz";
  public static final String TURN_KEY = "turn-test-key-0123456789abcdefghijklmnopqrstuvwxyz";

  private final Node node;
  private final int port;

  private TestNode(Node node, int port) {
    this.node = node;
    this.port = port;
  }

  /** Starts a node on the built-in defaults plus test keys plus {@code overrides} (deep-merged). */
  public static TestNode start(JsonObject overrides) {
    return start(overrides, System::nanoTime);
  }

  /** ... whose sessions and relay measure time with {@code nanoClock}, a clock the test moves. */
  public static TestNode start(JsonObject overrides, LongSupplier nanoClock) {
    int port = TestPorts.freePort();
    JsonObject json = ConfigLoader.builtInDefault()
      .mergeIn(new JsonObject()
        .put("http", new JsonObject().put("port", port).put("webroot", "webroot"))
        .put("auth", new JsonObject().put("hs256Secrets", new JsonArray().add(JWT_KEY)))
        .put("ice", new JsonObject()
          .put("stunUrls", new JsonArray().add("stun:127.0.0.1:3478"))
          .put("turnUrls", new JsonArray().add("turn:127.0.0.1:3478?transport=udp"))
          .put("turnSecrets", new JsonArray().add(TURN_KEY)))
        // the relay binds UDP ports: only tests that ask for it get one (see RelayTestNode)
        .put("relay", new JsonObject().put("enabled", false)), true)
      .mergeIn(overrides, true);
    try {
      Node node = Node.start(SwitchboardConfig.from(json), nanoClock).await(30, TimeUnit.SECONDS);
      return new TestNode(node, port);
    } catch (Exception e) {
      throw new IllegalStateException("test node did not start", e);
    }
  }

  public static TestNode start() {
    return start(new JsonObject());
  }

  /** Overrides for a node in development mode (POST /api/dev/token), as the demo runs; never clustered. */
  public static JsonObject development() {
    return new JsonObject().put("auth", new JsonObject().put("devTokens", true));
  }

  /** A name (room, identity) no other test uses, so tests on a shared node never see each other's presence. */
  public static String unique(String prefix) {
    return prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
  }

  public int port() {
    return port;
  }

  public Node node() {
    return node;
  }

  /** A clustered node's Hazelcast member, to look at the cluster's maps and partitions as a test. */
  public HazelcastInstance hazelcast() {
    return ((HazelcastClusterManager) ((VertxInternal) node.vertx()).clusterManager()).getHazelcastInstance();
  }

  /** A valid participant token (publisher unless {@code role} says otherwise), one hour. */
  public String token(String identity, String room, String role) {
    return TestTokens.participant(identity, room, role);
  }

  public String token(String identity, String room) {
    return token(identity, room, null);
  }

  public String adminToken() {
    return TestTokens.admin();
  }

  /** Signs arbitrary claims with the node's key. */
  public String sign(JsonObject claims) {
    return TestTokens.sign(claims);
  }

  @Override
  public void close() throws Exception {
    node.close().await(30, TimeUnit.SECONDS);
  }
}
