package io.switchboard;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.ice.IceServers;
import io.switchboard.metrics.RelayMetrics;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.relay.server.LoggingRelayEvents;
import io.switchboard.relay.server.RelayEvents;
import io.switchboard.relay.server.RelayServices;
import io.switchboard.relay.server.RelayVerticle;
import io.switchboard.signaling.http.EdgeServices;
import io.switchboard.signaling.http.EdgeVerticle;
import io.switchboard.signaling.http.NodeState;
import io.switchboard.signaling.cluster.ClusterMembership;
import io.switchboard.signaling.cluster.ClusterPresenceVerticle;
import io.switchboard.signaling.cluster.HazelcastSetup;
import io.switchboard.signaling.cluster.InboundFrameVerticle;
import io.switchboard.signaling.room.PresenceRoomDirectory;
import io.switchboard.signaling.room.PresenceVerticle;
import io.switchboard.signaling.room.RoomRegistry;
import io.switchboard.signaling.room.SessionEndpoint;
import io.switchboard.signaling.session.Ids;
import io.switchboard.signaling.session.SessionServices;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * One Switchboard node: a Vert.x instance with one verticle per concern — room presence, the
 * HTTP/WebSocket edge (one instance per event loop) and, unless switched off, the STUN/TURN relay. Clustered,
 * Vert.x joins a Hazelcast cluster, presence is cluster-wide and an extra verticle receives frames relayed
 * from other nodes.
 */
public final class Node {

  private static final System.Logger LOG = System.getLogger(Node.class.getName());

  private final Vertx vertx;
  private final SwitchboardConfig config;
  private final String nodeId;
  private final NodeState state;
  /** Null on a single node. */
  private final HazelcastClusterManager clusterManager;
  private String presenceDeployment;
  private String edgeDeployment;

  private Node(Vertx vertx, SwitchboardConfig config, String nodeId, NodeState state,
               HazelcastClusterManager clusterManager) {
    this.vertx = vertx;
    this.config = config;
    this.nodeId = nodeId;
    this.state = state;
    this.clusterManager = clusterManager;
  }

  public static Future<Node> start(SwitchboardConfig config) {
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    String nodeId = config.node().id().isEmpty() ? Ids.random(9) : config.node().id();
    // native epoll where available: the relay's SO_REUSEPORT and batched datagram writes need it
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true);
    // Not composed on a context of this Vert.x: after a failed start it is closed and its event loops are gone.
    Promise<Node> started = Promise.promise();
    if (!config.cluster().enabled()) {
      Node node = new Node(Vertx.builder().with(options).build(), config, nodeId, new NodeState(), null);
      node.deploy(loops, started);
      return started.future();
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastSetup.build(config.cluster(), nodeId));
    if (!config.cluster().host().isEmpty()) {
      options.getEventBusOptions().setHost(config.cluster().host());
    }
    options.getEventBusOptions().setPort(config.cluster().eventBusPort());
    Vertx.builder().with(options).withClusterManager(manager).buildClustered().onComplete(ar -> {
      if (ar.failed()) {
        started.fail(ar.cause());
        return;
      }
      ClusterMembership membership = new ClusterMembership(manager.getHazelcastInstance());
      Node node = new Node(ar.result(), config, nodeId, new NodeState(), manager);
      if (membership.idTakenByAnother(nodeId)) {
        node.vertx.close().onComplete(ignored -> started.fail(new IllegalStateException(
          "node id " + nodeId + " is already used by another cluster member; node ids must be unique")));
        return;
      }
      node.state.clusterMembers(membership::memberCount);
      node.deploy(loops, started);
    });
    return started.future();
  }

  private void deploy(int loops, Promise<Node> started) {
    deployVerticles(loops).onComplete(ar -> {
      if (ar.succeeded()) {
        started.complete(this);
      } else {
        vertx.close().onComplete(ignored -> started.fail(ar.cause()));
      }
    });
  }

  private Future<Void> deployVerticles(int loops) {
    Future<?> presence;
    IntSupplier roomCount;
    if (clusterManager == null) {
      RoomRegistry rooms = new RoomRegistry(config.limits().maxParticipantsPerRoom());
      roomCount = rooms::roomCount;
      presence = vertx.deployVerticle(new PresenceVerticle(rooms));
    } else {
      Map<String, SessionEndpoint> localSessions = new ConcurrentHashMap<>();
      ClusterPresenceVerticle clusterPresence = new ClusterPresenceVerticle(nodeId,
        config.limits().maxParticipantsPerRoom(), clusterManager.getHazelcastInstance(), localSessions);
      roomCount = clusterPresence::roomCount;
      presence = vertx.deployVerticle(clusterPresence)
        .compose(id -> vertx.deployVerticle(new InboundFrameVerticle(nodeId, localSessions)).map(id));
    }
    SwitchboardMetrics metrics = new SwitchboardMetrics(roomCount);
    SessionServices sessions = new SessionServices(nodeId, config.limits(),
      new PresenceRoomDirectory(vertx.eventBus()), metrics);
    EdgeServices edge = new EdgeServices(config, state, sessions, new IceServers(config.ice(), Clock.systemUTC()));
    int edges = config.http().edgeInstances() == 0 ? loops : config.http().edgeInstances();
    return presence
      .compose(id -> {
        presenceDeployment = (String) id;
        return deployRelay(metrics);
      })
      .compose(id -> vertx.deployVerticle(() -> new EdgeVerticle(edge), new DeploymentOptions().setInstances(edges)))
      .onSuccess(id -> {
        edgeDeployment = id;
        state.set(NodeState.Phase.UP);
      })
      .mapEmpty();
  }

  /** The relay verticle(s), sharing the TURN secrets the edge signs {@code iceServers} credentials with. */
  private Future<?> deployRelay(SwitchboardMetrics metrics) {
    if (!config.relay().enabled()) {
      return Future.succeededFuture();
    }
    RelayEvents events = RelayEvents.all(List.of(new RelayMetrics(metrics.registry()), new LoggingRelayEvents()));
    RelayServices relay = RelayServices.defaults(config.relay(), config.ice().turnSecrets(), events, Clock.systemUTC());
    return vertx.deployVerticle(() -> new RelayVerticle(relay),
      new DeploymentOptions().setInstances(config.relay().instances()));
  }

  /**
   * Drains: {@code /health} turns 503, sessions are closed with 1001 and leave presence at once (in a cluster
   * the other members have applied that before this one leaves), then Vert.x stops and leaves the cluster.
   */
  public Future<Void> close() {
    state.set(NodeState.Phase.DRAINING);
    LOG.log(System.Logger.Level.INFO, "node {0} draining", nodeId);
    Future<Void> edges = edgeDeployment == null ? Future.succeededFuture() : vertx.undeploy(edgeDeployment);
    // Not composed on a context of this Vert.x: its event loops are gone by the time close completes.
    Promise<Void> closed = Promise.promise();
    edges.onComplete(e -> {
      Future<Void> presence = presenceDeployment == null || clusterManager == null ? Future.succeededFuture()
        : vertx.undeploy(presenceDeployment);
      presence.onComplete(p -> vertx.close().onComplete(c -> {
        LOG.log(System.Logger.Level.INFO, "node {0} stopped", nodeId);
        closed.handle(c);
      }));
    });
    return closed.future();
  }

  public String nodeId() {
    return nodeId;
  }

  public Vertx vertx() {
    return vertx;
  }

  void logReady() {
    String base = "http://" + displayHost(config.http().host()) + ":" + config.http().port();
    LOG.log(System.Logger.Level.INFO, "Switchboard node {0} ready: demo client {1}/ , WebSocket {2}/ws",
      nodeId, base, base.replace("http://", "ws://"));
  }

  private static String displayHost(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
  }
}
