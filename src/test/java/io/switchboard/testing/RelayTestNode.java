package io.switchboard.testing;

import io.switchboard.ice.IceServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A {@link TestNode} with the STUN/TURN relay on: listener and relay ports in one block of free UDP ports in
 * 20000-29999 (never Linux's 32768-60999 outgoing range), REST credentials signed with {@link TestNode#TURN_KEY},
 * a static user, and — unless a test asks for the default policy — an explicit allowance for loopback peers, since
 * every peer in a test lives on 127.0.0.1.
 */
public final class RelayTestNode implements AutoCloseable {

  public static final String REALM = "switchboard-test";
  public static final String STATIC_USER = "static-alice";
  public static final String STATIC_PASSWORD = "StaticAlice0123456789abcdefghijklmnopqrstuvwxyz";
  /** Listener port + relay ports. */
  private static final int BLOCK = 48;

  private final TestNode node;
  private final int relayPort;
  private final int minPort;
  private final int maxPort;
  private final int tcpPort;
  private final int tlsPort;
  /** The CA of the HTTP port's certificate when the HTTP port serves TLS (one-port mode); null for plain HTTP. */
  private final java.nio.file.Path httpsCa;

  private RelayTestNode(TestNode node, int relayPort, int minPort, int maxPort, int tcpPort, int tlsPort,
                        java.nio.file.Path httpsCa) {
    this.node = node;
    this.relayPort = relayPort;
    this.minPort = minPort;
    this.maxPort = maxPort;
    this.tcpPort = tcpPort;
    this.tlsPort = tlsPort;
    this.httpsCa = httpsCa;
  }

  /**
   * A relay with TURN over TCP (on the UDP listener's port number, as in the defaults) and over TLS (a port of its
   * own) serving {@code tls}'s certificate and key, plus {@code relayOverrides}; loopback peers allowed.
   */
  public static RelayTestNode startWithStreams(JsonObject relayOverrides, TestCertificates.Member tls) {
    int tlsPort = TestPorts.freePort();
    JsonObject streams = new JsonObject()
      .put("tcp", new JsonObject().put("enabled", true))
      .put("tls", new JsonObject().put("enabled", true).put("port", tlsPort).put("cert", tls.cert().toString())
        .put("key", tls.key().toString()));
    streams.mergeIn(relayOverrides, true);
    return start(streams, true, java.util.List.of(TestNode.TURN_KEY), System::nanoTime, BLOCK - 1, tlsPort);
  }

  /** Relay with loopback peers allowed, plus {@code relayOverrides} merged into the relay section. */
  public static RelayTestNode start(JsonObject relayOverrides) {
    return start(relayOverrides, true);
  }

  public static RelayTestNode start(JsonObject relayOverrides, boolean allowLoopback) {
    return start(relayOverrides, allowLoopback, java.util.List.of(TestNode.TURN_KEY));
  }

  /** ... with {@code turnSecrets} as {@code ice.turnSecrets} (the first signs {@code iceServers}). */
  public static RelayTestNode start(JsonObject relayOverrides, boolean allowLoopback,
                                    java.util.List<String> turnSecrets) {
    return start(relayOverrides, allowLoopback, turnSecrets, System::nanoTime);
  }

  /** ... whose relay measures lifetimes and bandwidth with {@code nanoClock}, a clock the test moves. */
  public static RelayTestNode start(JsonObject relayOverrides, boolean allowLoopback,
                                    java.util.List<String> turnSecrets, java.util.function.LongSupplier nanoClock) {
    return start(relayOverrides, allowLoopback, turnSecrets, nanoClock, BLOCK - 1, -1);
  }

  /** Relay with loopback peers allowed, plus {@code otherSections} (webhooks, rooms...) merged over the node. */
  public static RelayTestNode startWith(JsonObject relayOverrides, JsonObject otherSections) {
    return start(relayOverrides, true, java.util.List.of(TestNode.TURN_KEY), System::nanoTime, BLOCK - 1, -1,
      otherSections, null);
  }

  /** Relay with loopback peers allowed and only {@code relayPorts} relay ports (to see what allocations take). */
  public static RelayTestNode withRelayPorts(JsonObject relayOverrides, int relayPorts) {
    return start(relayOverrides, true, java.util.List.of(TestNode.TURN_KEY), System::nanoTime, relayPorts, -1);
  }

  /**
   * A relay serving one-port mode on {@code onePort} with {@code tls}'s certificate on the HTTP port too (the
   * one-port listener serves that certificate), plus {@code relayOverrides} and {@code httpOverrides}; loopback
   * peers allowed.
   */
  public static RelayTestNode startWithOnePort(JsonObject relayOverrides, TestCertificates.Member tls, int onePort,
                                               JsonObject httpOverrides) {
    return startWithOnePort(relayOverrides, tls, onePort, httpOverrides, new JsonObject());
  }

  /**
   * ... plus {@code iceOverrides} merged into the {@code ice} section (for example explicit {@code turnUrls}, which
   * replace the node's own relay in {@code iceServers}; lists replace lists, they are not appended to).
   */
  public static RelayTestNode startWithOnePort(JsonObject relayOverrides, TestCertificates.Member tls, int onePort,
                                               JsonObject httpOverrides, JsonObject iceOverrides) {
    JsonObject http = new JsonObject().put("tls", new JsonObject().put("cert", tls.cert().toString())
      .put("key", tls.key().toString()));
    JsonObject sections = new JsonObject()
      .put("http", http.mergeIn(httpOverrides, true))
      .put("onePort", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", onePort))
      .put("ice", iceOverrides.copy());
    return start(relayOverrides, true, java.util.List.of(TestNode.TURN_KEY), System::nanoTime, BLOCK - 1, -1,
      sections, tls.ca());
  }

  private static RelayTestNode start(JsonObject relayOverrides, boolean allowLoopback,
                                     java.util.List<String> turnSecrets, java.util.function.LongSupplier nanoClock,
                                     int relayPorts, int tlsPort) {
    return start(relayOverrides, allowLoopback, turnSecrets, nanoClock, relayPorts, tlsPort, new JsonObject(),
      null);
  }

  /** ... with {@code otherSections} merged over the whole; {@code httpsCa}: see {@link #httpsCa}. */
  private static RelayTestNode start(JsonObject relayOverrides, boolean allowLoopback,
                                     java.util.List<String> turnSecrets, java.util.function.LongSupplier nanoClock,
                                     int relayPorts, int tlsPort, JsonObject otherSections,
                                     java.nio.file.Path httpsCa) {
    int base = TestPorts.freeUdpBlock(relayPorts + 1);
    JsonObject overrides = overrides(base, relayPorts, relayOverrides, allowLoopback, turnSecrets);
    overrides.mergeIn(otherSections, true);
    return new RelayTestNode(TestNode.start(overrides, nanoClock), base, base + 1, base + relayPorts, base, tlsPort,
      httpsCa);
  }

  /**
   * The relay and ice sections of a node as {@link #start(JsonObject)} makes it (fresh ports, loopback peers
   * allowed, {@code relayOverrides} merged), for a node started otherwise, such as a cluster member; its relay
   * listens on {@code relay.port}.
   */
  public static JsonObject overrides(JsonObject relayOverrides) {
    return overrides(TestPorts.freeUdpBlock(BLOCK), BLOCK - 1, relayOverrides, true,
      java.util.List.of(TestNode.TURN_KEY));
  }

  private static JsonObject overrides(int base, int relayPorts, JsonObject relayOverrides, boolean allowLoopback,
                                      java.util.List<String> turnSecrets) {
    JsonObject relay = new JsonObject()
      .put("enabled", true)
      .put("host", "127.0.0.1")
      .put("port", base)
      .put("realm", REALM)
      .put("minPort", base + 1)
      .put("maxPort", base + relayPorts)
      .put("maxAllocationsPerUser", 40)
      .put("staticUsers", new JsonArray().add(STATIC_USER + ":" + STATIC_PASSWORD))
      // the block's first port is free for TCP too: TURN over TCP (when a test enables it) shares its number
      .put("tcp", new JsonObject().put("port", base));
    if (allowLoopback) {
      relay.put("allowedPeers", new JsonArray().add("127.0.0.0/8"));
    }
    relay.mergeIn(relayOverrides, true);
    // the node's own relay in iceServers, as in production: no explicit STUN/TURN URLs
    return new JsonObject()
      .put("relay", relay)
      .put("ice", new JsonObject().put("stunUrls", new JsonArray()).put("turnUrls", new JsonArray())
        .put("turnSecrets", new JsonArray(turnSecrets)));
  }

  public TestNode node() {
    return node;
  }

  public int httpPort() {
    return node.port();
  }

  public int relayPort() {
    return relayPort;
  }

  /** TURN over TCP's port (the UDP listener's number); listening only when the test enabled relay.tcp. */
  public int tcpPort() {
    return tcpPort;
  }

  /** TURN over TLS's port, for {@link #startWithStreams}; -1 otherwise. */
  public int tlsPort() {
    return tlsPort;
  }

  public int minPort() {
    return minPort;
  }

  public int maxPort() {
    return maxPort;
  }

  /** A REST username ({@code expiry:identity}) valid for {@code ttlSeconds} (negative: already expired). */
  public static String restUsername(String identity, long ttlSeconds) {
    return (System.currentTimeMillis() / 1000 + ttlSeconds) + ":" + identity;
  }

  public static String restPassword(String username) {
    return IceServers.restCredential(TestNode.TURN_KEY, username);
  }

  /** The value of one relay series in /metrics (over https when the HTTP port serves TLS). */
  public double metric(String series) {
    return httpsCa == null ? Metrics.value(node.port(), series)
      : Metrics.value(Metrics.scrapeHttps(node.port(), httpsCa), series);
  }

  @Override
  public void close() throws Exception {
    node.close();
  }
}
