package io.switchboard.signaling.presence;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.switchboard.bus.Addresses;
import io.switchboard.cluster.HazelcastSetup;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.signaling.presence.hazelcast.PresenceSerializers;
import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.testing.Http;
import io.switchboard.testing.ListeningSockets;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.ProcessCluster;
import io.switchboard.testing.TestCertificates;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestPorts;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a process that reaches the members' ports can do, tried against separate node processes started from the
 * jar. Hazelcast's open-source edition lets anything that speaks the member protocol join, so the rogue here is
 * a real Vert.x member of the Hazelcast cluster that reads the rooms map and forges a frame and a presence delta
 * exactly as a member would write them. With the event bus's mutual TLS its messages never arrive; the control
 * cluster, started with {@code cluster.insecure}, shows the same forgeries arrive without it.
 */
@DisplayName("An authenticated cluster: rogue clients, rogue event buses, listen addresses, member certificates")
class ClusterSecurityIT {

  private static WebSocketClient client;
  private static Vertx clientVertx;

  @BeforeAll
  static void client() {
    clientVertx = Vertx.vertx();
    client = WsClient.newClient(clientVertx);
  }

  @AfterAll
  static void closeClient() throws Exception {
    clientVertx.close().await(10, TimeUnit.SECONDS);
  }

  /** alice on node 0, bob on node 1, one room; alice has seen bob arrive. */
  private record Call(String room, WsClient alice, WsClient bob) {
    static Call start(ProcessCluster cluster) {
      String room = TestNode.unique("room");
      WsClient alice = WsClient.join(client, cluster.node(0).port(), TestTokens.participant("alice", room, null));
      WsClient bob = WsClient.join(client, cluster.node(1).port(), TestTokens.participant("bob", room, null));
      assertEquals(bob.id(), alice.expect("peer-joined").getJsonObject("peer").getString("id"));
      return new Call(room, alice, bob);
    }

    /** bob's next message to alice must be the next frame alice gets: nothing forged came in between. */
    JsonObject aliceNextAfterMarker() {
      bob.send(new JsonObject().put("type", "message").put("to", alice.id()).put("data", "marker"));
      return alice.next();
    }
  }

  /**
   * A Vert.x node that joins the cluster's Hazelcast as a member (which the open-source edition cannot refuse),
   * with an event bus that has none of the cluster's certificates, and Switchboard's own code to read the map.
   */
  private static final class Rogue implements AutoCloseable {
    private final Vertx vertx;
    private final HazelcastInstance hazelcast;

    Rogue(ProcessCluster cluster) throws Exception {
      int port = TestPorts.freePort();
      List<String> members = new ArrayList<>(cluster.memberAddresses());
      members.add("127.0.0.1:" + port);
      SwitchboardConfig.Cluster settings = new SwitchboardConfig.Cluster(true, cluster.name(), "", "127.0.0.1", port,
        members, 0, 5, true, new SwitchboardConfig.ClusterTls("", "", ""));
      HazelcastClusterManager manager = new HazelcastClusterManager(
        HazelcastSetup.build(settings, Map.of("switchboard.node", "rogue"), PresenceSerializers.all()));
      VertxOptions options = new VertxOptions();
      options.getEventBusOptions().setHost("127.0.0.1");
      vertx = Vertx.builder().with(options).withClusterManager(manager).buildClustered().await(60, TimeUnit.SECONDS);
      hazelcast = manager.getHazelcastInstance();
    }

    /** {@code from}'s offer to {@code to}, as node {@code fromNode} would relay it. */
    void forgeFrame(String toNode, String to, String fromNode, String from) {
      String frame = "{\"from\":\"" + from + "\",\"type\":\"offer\",\"sdp\":\"forged\"}";
      Buffer envelope = FrameEnvelope.encode(FrameEnvelope.ascii(to), FrameEnvelope.ascii(fromNode), frame);
      vertx.eventBus().send(Addresses.nodePresence(toNode), envelope);
    }

    /** "bob was kicked", with the room's real epoch and next version, read from the map like a member can. */
    void forgeKick(String toNode, String room, String fromNode, String bob) {
      IMap<String, RoomRecord> rooms = hazelcast.getMap(HazelcastSetup.ROOMS_MAP);
      RoomRecord record = rooms.get(room);
      MemberRecord victim = record.seats().stream().filter(s -> s.id().equals(bob)).findFirst().orElseThrow()
        .member();
      RoomChange kick = new RoomChange(room, true, null, record.epoch(), record.version() + 1,
        List.of(new RoomChange.Departure(victim, LeaveReason.KICKED)), List.of(), List.of(), null, Set.of(),
        Map.of());
      vertx.eventBus().send(Addresses.nodePresence(toNode), PresenceDelta.encode(fromNode, kick));
    }

    @Override
    public void close() throws Exception {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("a cluster with event-bus TLS (the default)")
  class Secured {

    private ProcessCluster cluster;

    @BeforeAll
    void start() {
      cluster = ProcessCluster.start(2, 4, Map.of());
    }

    @AfterAll
    void stop() {
      cluster.close();
    }

    @Test
    @DisplayName("Hazelcast's own Java client cannot connect to a member port: the rooms map is out of its reach")
    void rogueClient() {
      ClientConfig config = new ClientConfig();
      config.setClusterName(cluster.name());
      config.setProperty("hazelcast.logging.type", "jdk");
      cluster.memberAddresses().subList(0, 2).forEach(config.getNetworkConfig()::addAddress);
      config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(5000);
      IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> HazelcastClient.newHazelcastClient(config).shutdown());
      assertTrue(refused.getMessage().contains("Unable to connect"), refused.getMessage());
    }

    @Test
    @DisplayName("a rogue member without the cluster's certificates delivers neither a frame nor a presence delta")
    void rogueEventBus() throws Exception {
      Call call = Call.start(cluster);
      NodeProcess victim = cluster.node(0);
      try (Rogue rogue = new Rogue(cluster)) {
        rogue.forgeFrame(victim.nodeId(), call.alice().id(), cluster.node(1).nodeId(), call.bob().id());
        rogue.forgeKick(victim.nodeId(), call.room(), cluster.node(1).nodeId(), call.bob().id());
        JsonObject next = call.aliceNextAfterMarker();
        assertEquals("message", next.getString("type"), "alice got " + next.encode());
        assertEquals("marker", next.getString("data"));
        awaitLog(victim, "cluster member rogue at", "refused: event bus at");
        assertEquals(2, health(victim).getInteger("members"), "the rogue is not counted as a member");
        assertEquals(1.0, Metrics.value(victim.port(), "switchboard_cluster_members{state=\"untrusted\"}"));
      }
    }

    @Test
    @DisplayName("Hazelcast, the event bus and HTTP listen on cluster.host (loopback here), never on a wildcard")
    void listenAddresses() {
      for (NodeProcess node : cluster.nodes().subList(0, 2)) {
        List<ListeningSockets.Listener> listeners = ListeningSockets.of(node.pid());
        assertTrue(listeners.size() >= 3, node.nodeId() + " listens on " + listeners);
        for (ListeningSockets.Listener listener : listeners) {
          assertFalse(listener.address().isAnyLocalAddress(), node.nodeId() + " listens on " + listener);
          assertTrue(listener.address().isLoopbackAddress(), node.nodeId() + " listens on " + listener);
        }
        int hazelcastPort = Integer.parseInt(cluster.memberAddresses().get(cluster.nodes().indexOf(node))
          .split(":")[1]);
        assertTrue(listeners.stream().anyMatch(l -> l.port() == hazelcastPort), listeners.toString());
        assertTrue(listeners.stream().anyMatch(l -> l.port() == node.port()), listeners.toString());
      }
    }

    @Test
    @DisplayName("a member whose certificate has expired stays out and says why")
    void expiredCertificate() {
      TestCertificates.Member expired = TestCertificates.cluster().expired("expired-member");
      NodeProcess node = cluster.launch("member-3", expired.env());
      assertNotEquals(0, node.waitForExit(Duration.ofSeconds(60)));
      assertTrue(node.logText().contains("expired on 2020-01-02"), node.tail());
      assertEquals(2, health(cluster.node(0)).getInteger("members"));
    }

    @Test
    @DisplayName("a member with a certificate of another CA stays out; both sides log why")
    void otherAuthority() {
      TestCertificates.Member intruder = TestCertificates.newAuthority("intruder").member("intruder");
      NodeProcess node = cluster.launch("member-4", intruder.env());
      assertNotEquals(0, node.waitForExit(Duration.ofSeconds(90)));
      assertTrue(node.logText().contains("no cluster member could be authenticated"), node.tail());
      assertTrue(node.logText().contains("TLS handshake failed"), node.tail());
      assertTrue(node.logText().contains("does not chain with any of the trust anchors"), node.tail());
      awaitLog(cluster.node(0), "cluster member " + node.nodeId() + " at", "refused: event bus at");
      assertEquals(2, health(cluster.node(0)).getInteger("members"));
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("control: the same cluster with cluster.insecure")
  class Insecure {

    private ProcessCluster cluster;

    @BeforeAll
    void start() {
      cluster = ProcessCluster.start(2, 2, Map.of("SWITCHBOARD_CLUSTER_INSECURE", "true",
        "SWITCHBOARD_CLUSTER_TLS_CERT", "", "SWITCHBOARD_CLUSTER_TLS_KEY", "", "SWITCHBOARD_CLUSTER_TLS_CA", ""));
    }

    @AfterAll
    void stop() {
      cluster.close();
    }

    @Test
    @DisplayName("the rogue's forged offer and kick arrive: the attack the TLS cluster stops is real")
    void rogueSucceeds() throws Exception {
      Call call = Call.start(cluster);
      try (Rogue rogue = new Rogue(cluster)) {
        rogue.forgeFrame(cluster.node(0).nodeId(), call.alice().id(), cluster.node(1).nodeId(), call.bob().id());
        JsonObject forged = call.alice().expect("offer");
        assertEquals("forged", forged.getString("sdp"));
        assertEquals(call.bob().id(), forged.getString("from"), "it looks as if bob sent it");
        rogue.forgeKick(cluster.node(0).nodeId(), call.room(), cluster.node(1).nodeId(), call.bob().id());
        JsonObject left = call.alice().expect("peer-left");
        assertEquals("kicked", left.getString("reason"));
      }
      JsonObject health = health(cluster.node(0));
      assertEquals(false, health.getBoolean("tls"));
      assertTrue(health.getString("warning").contains("no TLS"), health.encode());
    }
  }

  private static JsonObject health(NodeProcess node) {
    return Http.get(node.port(), "/health", null).json().getJsonObject("cluster");
  }

  private static void awaitLog(NodeProcess node, String... parts) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (node.logText().lines().anyMatch(line -> List.of(parts).stream().allMatch(line::contains))) {
        return;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("no log line with " + List.of(parts) + " from " + node.nodeId() + ":\n" + node.tail());
  }
}
