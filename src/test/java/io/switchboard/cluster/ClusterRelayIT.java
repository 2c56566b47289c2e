package io.switchboard.cluster;

import io.switchboard.ice.IceServers;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.Http;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.StunClient;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.ProcessCluster;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@DisplayName("Three node processes from the fat jar: presence, relay, limits, replacement and kicks across nodes")
class ClusterRelayIT {

  private static final System.Logger LOG = System.getLogger(ClusterRelayIT.class.getName());

  private static final int ROOM_LIMIT = 6;
  private static final int CLUSTER_QUOTA = 3;
  private static ProcessCluster cluster;
  private static WebSocketClient client;

  @BeforeAll
  static void start(Vertx vertx) {
    cluster = ProcessCluster.start(3, 3, Map.of(
      "SWITCHBOARD_LIMITS_MAX_PARTICIPANTS_PER_ROOM", Integer.toString(ROOM_LIMIT),
      "SWITCHBOARD_LIMITS_RATE_FRAMES_PER_SECOND", "100000",
      "SWITCHBOARD_LIMITS_RATE_BURST", "100000",
      // peers all live on 127.0.0.1 here: loopback is allowed, so only the service-endpoint rule can refuse
      "SWITCHBOARD_RELAY_ALLOWED_PEERS", "127.0.0.0/8",
      "SWITCHBOARD_RELAY_MAX_ALLOCATIONS_PER_USER_IN_CLUSTER", Integer.toString(CLUSTER_QUOTA)));
    client = WsClient.newClient(vertx);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static WsClient join(int node, String identity, String room) {
    return WsClient.join(client, cluster.node(node).port(), TestTokens.participant(identity, room, null));
  }

  @Test
  @DisplayName("welcome lists peers on every node; peer-joined, broadcasts and 1,000 directed frames in order "
    + "cross nodes")
  void presenceAndOrderedRelay() {
    String room = TestNode.unique("room");
    WsClient alice = join(0, "alice", room);
    WsClient bob = join(1, "bob", room);
    WsClient carol = join(2, "carol", room);
    Set<String> seen = new HashSet<>();
    carol.welcome().getJsonArray("peers").forEach(p -> seen.add(((JsonObject) p).getString("id")));
    assertEquals(Set.of(alice.id(), bob.id()), seen);
    assertEquals(bob.id(), alice.expect("peer-joined").getJsonObject("peer").getString("id"));
    assertEquals(carol.id(), alice.expect("peer-joined").getJsonObject("peer").getString("id"));
    assertEquals(carol.id(), bob.expect("peer-joined").getJsonObject("peer").getString("id"));

    alice.send(new JsonObject().put("type", "message").put("data", "hello all"));
    assertEquals(alice.id(), bob.expect("message").getString("from"));
    assertEquals("hello all", carol.expect("message").getString("data"));

    for (int i = 0; i < 1000; i++) {
      alice.socket().writeTextMessage(new JsonObject().put("type", "message").put("to", carol.id())
        .put("data", new JsonObject().put("seq", i)).encode());
    }
    for (int i = 0; i < 1000; i++) {
      JsonObject frame = carol.expect("message");
      assertEquals(alice.id(), frame.getString("from"));
      assertEquals(i, frame.getJsonObject("data").getInteger("seq"), "frames out of order");
    }
    bob.expectNothing(200);
  }

  @Test
  @DisplayName("the room limit holds cluster-wide under concurrent joins on all three nodes")
  void roomLimitUnderConcurrentJoins() {
    String room = TestNode.unique("room");
    List<Future<WsClient>> opening = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      opening.add(WsClient.open(client, cluster.node(i % 3).port(), TestTokens.participant("user" + i, room, null)));
    }
    int admitted = 0;
    int refused = 0;
    // the room's partition decides the joins one after another: the last may wait for all the others
    Duration deadline = WsClient.waitFor(opening.size());
    for (Future<WsClient> future : opening) {
      JsonObject first = WsClient.await(future, deadline).next(deadline);
      if (first.getString("type").equals("welcome")) {
        admitted++;
      } else {
        assertEquals("room-full", first.getString("code"), first.encode());
        refused++;
      }
    }
    assertEquals(ROOM_LIMIT, admitted);
    assertEquals(30 - ROOM_LIMIT, refused);
    for (NodeProcess node : cluster.nodes()) {
      JsonObject described = Http.get(node.port(), "/api/rooms/" + room, TestTokens.admin()).json();
      assertEquals(ROOM_LIMIT, described.getJsonArray("participants").size(), described.encode());
    }
  }

  @Test
  @DisplayName("a duplicate identity on another node replaces the first session (4001) and observers hear of it")
  void replacementAcrossNodes() {
    String room = TestNode.unique("room");
    WsClient first = join(0, "dana", room);
    WsClient observer = join(2, "olga", room);
    first.expect("peer-joined");
    WsClient second = join(1, "dana", room);
    first.expectError("replaced");
    assertEquals(4001, first.awaitClose());
    JsonObject left = observer.expect("peer-left");
    assertEquals(first.id(), left.getString("id"));
    assertEquals("replaced", left.getString("reason"));
    assertEquals(second.id(), observer.expect("peer-joined").getJsonObject("peer").getString("id"));
    assertEquals(1, second.welcome().getJsonArray("peers").size(), "only olga: " + second.welcome().encode());
  }

  @Test
  @DisplayName("a relay never relays to a member's service listeners (STUN/TURN, HTTP, Hazelcast, event bus), "
    + "its own or another's")
  void relayRefusesServiceEndpoints() throws Exception {
    String username = (System.currentTimeMillis() / 1000 + 3600) + ":prober";
    try (StunClient client = new StunClient(cluster.node(0).relayPort())
      .credentials(username, IceServers.restCredential(TestNode.TURN_KEY, username));
         java.net.DatagramSocket harmless = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      assertEquals(0, client.request(Method.ALLOCATE, w -> RequestedTransport.write(w, RequestedTransport.UDP))
        .errorCode());
      NodeProcess other = cluster.node(1);
      int hazelcast = Integer.parseInt(cluster.memberAddresses().get(1).split(":")[1]);
      int channel = 0x4000;
      for (int port : List.of(cluster.node(0).relayPort(), other.relayPort(), other.port(), hazelcast,
        Integer.parseInt(cluster.memberAddresses().get(0).split(":")[1]))) {
        int number = channel++;
        int code = client.request(Method.CHANNEL_BIND, w -> {
          ChannelNumber.write(w, number);
          XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, new java.net.InetSocketAddress("127.0.0.1", port));
        }).errorCode();
        assertEquals(403, code, "ChannelBind to 127.0.0.1:" + port);
      }
      int number = channel;
      assertEquals(0, client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, number);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS,
          (java.net.InetSocketAddress) harmless.getLocalSocketAddress());
      }).errorCode(), "any other port on the same (allowed) address still works");
    }
  }

  @Test
  @DisplayName("one identity's allocations are limited across all relays of the cluster, not per node")
  void clusterWideQuota() throws Exception {
    java.util.List<StunClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < CLUSTER_QUOTA + 1; i++) {
        // fresh names of one identity, on every node's relay in turn: each node alone is far below its quota
        String username = (System.currentTimeMillis() / 1000 + 3600 + i) + ":hoarder";
        clients.add(new StunClient(cluster.node(i % 3).relayPort())
          .credentials(username, IceServers.restCredential(TestNode.TURN_KEY, username)));
      }
      for (int i = 0; i < CLUSTER_QUOTA; i++) {
        assertEquals(0, allocate(clients.get(i)), "allocation " + i);
      }
      assertEquals(486, allocate(clients.get(CLUSTER_QUOTA)), "one more anywhere in the cluster");
      assertEquals(0, clients.get(0).request(Method.REFRESH, w -> io.switchboard.relay.proto.Lifetime.write(w, 0))
        .errorCode());
      // the release travels without being waited for: the next Allocate may need a moment
      long deadline = System.nanoTime() + 5_000_000_000L;
      int code;
      do {
        code = allocate(clients.get(CLUSTER_QUOTA));
      } while (code == 486 && System.nanoTime() < deadline);
      assertEquals(0, code, "a released allocation frees a place cluster-wide");
    } finally {
      clients.forEach(StunClient::close);
    }
  }

  private static int allocate(StunClient client) {
    return client.request(Method.ALLOCATE, w -> RequestedTransport.write(w, RequestedTransport.UDP)).errorCode();
  }

  @Test
  @DisplayName("a kick on one node closes the participant's allocation on another node's relay within 2 s")
  void kickRevokesTurnAcrossNodes() throws Exception {
    String room = TestNode.unique("room");
    WsClient victim = join(0, "mallory", room);
    JsonObject turn = victim.welcome().getJsonArray("iceServers").stream().map(JsonObject.class::cast)
      .filter(entry -> entry.containsKey("username")).findFirst().orElseThrow();
    NodeProcess relayNode = cluster.node(1);
    String series = "switchboard_turn_allocations_closed_total{reason=\"revoked\"}";
    try (StunClient client = new StunClient(relayNode.relayPort())
      .credentials(turn.getString("username"), turn.getString("credential"))) {
      assertEquals(0, client.request(Method.ALLOCATE, w -> RequestedTransport.write(w, RequestedTransport.UDP))
        .errorCode(), "the welcome's credential works on any member's relay");
      double before = Metrics.value(relayNode.port(), series);

      long kickedAt = System.nanoTime();
      Http.Response kick = Http.delete(cluster.node(2).port(), "/api/rooms/" + room + "/participants/" + victim.id(),
        TestTokens.admin());
      assertEquals(200, kick.status(), kick.body());
      double after = Metrics.awaitValue(() -> Metrics.value(relayNode.port(), series), before + 1, 2000);
      long elapsedMs = (System.nanoTime() - kickedAt) / 1_000_000;
      LOG.log(System.Logger.Level.INFO, "revocation reached the other node''s relay in {0} ms", elapsedMs);
      assertEquals(before + 1, after, "closed on the other node's relay within 2 s (took " + elapsedMs + " ms)");
      assertEquals(401, client.request(Method.REFRESH, w -> io.switchboard.relay.proto.Lifetime.write(w, 600))
        .errorCode(), "and the credential is refused there");
      assertEquals(4002, victim.awaitClose());
    }
  }

  @Test
  @DisplayName("the admin API on one node lists everyone in the cluster and kicks a session held by another node")
  void adminAcrossNodes() {
    String room = TestNode.unique("room");
    WsClient victim = join(1, "vic", room);
    WsClient observer = join(2, "obs", room);
    JsonArray participants = Http.get(cluster.node(0).port(), "/api/rooms/" + room, TestTokens.admin()).json()
      .getJsonArray("participants");
    Set<String> nodes = new HashSet<>();
    participants.forEach(p -> nodes.add(((JsonObject) p).getString("node")));
    assertEquals(Set.of(cluster.node(1).nodeId(), cluster.node(2).nodeId()), nodes);
    JsonArray rooms = Http.get(cluster.node(0).port(), "/api/rooms", TestTokens.admin()).json().getJsonArray("rooms");
    assertTrue(rooms.encode().contains(room), rooms.encode());

    Http.Response kick = Http.delete(cluster.node(0).port(), "/api/rooms/" + room + "/participants/" + victim.id(),
      TestTokens.admin());
    assertEquals(200, kick.status(), kick.body());
    assertEquals(4002, victim.awaitClose());
    JsonObject left = observer.expect("peer-left");
    assertEquals(victim.id(), left.getString("id"));
    assertEquals("kicked", left.getString("reason"));
    assertEquals(404, Http.delete(cluster.node(2).port(), "/api/rooms/" + room + "/participants/" + victim.id(),
      TestTokens.admin()).status());
  }
}
