package io.switchboard.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The setup most tests repeat: real Switchboard nodes (one, or a cluster in this JVM) and a WebSocket client
 * to join them with. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SwitchboardNodes nodes = SwitchboardNodes.single(new JsonObject().put("limits", ...));
 *
 * WsClient alice = nodes.join("alice", room);
 * }</pre>
 *
 * By default the nodes start once for the class and stop after it; {@link #perTest()} gives every test fresh
 * nodes (gauges from zero, no socket of one test lingering into the next). The client has its own Vert.x.
 */
public final class SwitchboardNodes implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
  AfterEachCallback {

  private final int size;
  private final JsonObject overrides;
  /** What a single node measures rates, lifetimes and liveness with. */
  private final LongSupplier nanoClock;
  private boolean perTest;
  private TestCluster cluster;
  private TestNode single;
  private Vertx vertx;
  private WebSocketClient client;

  private SwitchboardNodes(int size, JsonObject overrides, LongSupplier nanoClock) {
    this.size = size;
    this.overrides = overrides;
    this.nanoClock = nanoClock;
  }

  /** One node on the test defaults plus {@code overrides}. */
  public static SwitchboardNodes single(JsonObject overrides) {
    return single(overrides, System::nanoTime);
  }

  /** One node that measures time with {@code nanoClock} (a {@link ManualClock}: time passes when the test says). */
  public static SwitchboardNodes single(JsonObject overrides, LongSupplier nanoClock) {
    return new SwitchboardNodes(0, overrides, nanoClock);
  }

  public static SwitchboardNodes single() {
    return single(new JsonObject());
  }

  /** {@code size} clustered nodes in this JVM (with event-bus TLS, as in production). */
  public static SwitchboardNodes cluster(int size, JsonObject overrides) {
    return new SwitchboardNodes(size, overrides, System::nanoTime);
  }

  /** Fresh nodes for every test instead of once per class. */
  public SwitchboardNodes perTest() {
    perTest = true;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    vertx = Vertx.vertx();
    client = WsClient.newClient(vertx);
    if (!perTest) {
      startNodes();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (perTest) {
      startNodes();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest) {
      stopNodes();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stopNodes();
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private void startNodes() {
    if (size == 0) {
      single = TestNode.start(overrides, nanoClock);
    } else {
      cluster = TestCluster.start(size, overrides);
    }
  }

  private void stopNodes() {
    try {
      if (single != null) {
        single.close();
      }
      if (cluster != null) {
        cluster.close();
      }
    } catch (Exception e) {
      throw new IllegalStateException("a test node did not stop", e);
    } finally {
      single = null;
      cluster = null;
    }
  }

  /** The node (of a single-node setup, or the first of a cluster). */
  public TestNode node() {
    return node(0);
  }

  public TestNode node(int index) {
    return single != null ? single : cluster.node(index);
  }

  /** The cluster, to add members to it ({@link TestCluster#join}); null for a single node. */
  public TestCluster cluster() {
    return cluster;
  }

  public int port() {
    return node().port();
  }

  public WebSocketClient client() {
    return client;
  }

  /** Joins {@code room} on the first node as a publisher and waits for {@code welcome}. */
  public WsClient join(String identity, String room) {
    return join(0, identity, room, null);
  }

  /** Joins with {@code role} ({@code publisher}, {@code viewer}, or null for the token's default). */
  public WsClient join(String identity, String room, String role) {
    return join(0, identity, room, role);
  }

  /** Joins on node {@code index}. */
  public WsClient join(int index, String identity, String room, String role) {
    TestNode target = node(index);
    return WsClient.join(client, target.port(), target.token(identity, room, role));
  }
}
