package io.switchboard;

import io.switchboard.auth.AuthVerticle;
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
import io.switchboard.signaling.room.LocalRoomDirectory;
import io.switchboard.signaling.room.PresenceVerticle;
import io.switchboard.signaling.room.RoomRegistry;
import io.switchboard.signaling.session.Ids;
import io.switchboard.signaling.session.SessionServices;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.time.Clock;
import java.util.List;

/**
 * One Switchboard node: a Vert.x instance with one verticle per concern — JWT auth, room presence, the
 * HTTP/WebSocket edge (one instance per event loop) and, unless switched off, the STUN/TURN relay.
 */
public final class Node {

  private static final System.Logger LOG = System.getLogger(Node.class.getName());

  private final Vertx vertx;
  private final SwitchboardConfig config;
  private final String nodeId;
  private final NodeState state;
  private String edgeDeployment;

  private Node(Vertx vertx, SwitchboardConfig config, String nodeId, NodeState state) {
    this.vertx = vertx;
    this.config = config;
    this.nodeId = nodeId;
    this.state = state;
  }

  public static Future<Node> start(SwitchboardConfig config) {
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    // native epoll where available: the relay's SO_REUSEPORT and batched datagram writes need it
    Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true))
      .build();
    String nodeId = config.node().id().isEmpty() ? Ids.random(9) : config.node().id();
    Node node = new Node(vertx, config, nodeId, new NodeState());
    // Not composed on a context of this Vert.x: after a failed start it is closed and its event loops are gone.
    Promise<Node> started = Promise.promise();
    node.deploy(loops).onComplete(ar -> {
      if (ar.succeeded()) {
        started.complete(node);
      } else {
        vertx.close().onComplete(ignored -> started.fail(ar.cause()));
      }
    });
    return started.future();
  }

  private Future<Void> deploy(int loops) {
    RoomRegistry rooms = new RoomRegistry(config.limits().maxParticipantsPerRoom());
    SwitchboardMetrics metrics = new SwitchboardMetrics(rooms::roomCount);
    SessionServices sessions = new SessionServices(nodeId, config.limits(), new LocalRoomDirectory(vertx.eventBus()),
      metrics);
    EdgeServices edge = new EdgeServices(config, state, sessions, new IceServers(config.ice(), Clock.systemUTC()));
    int edges = config.http().edgeInstances() == 0 ? loops : config.http().edgeInstances();
    return vertx.deployVerticle(new AuthVerticle(config.auth()))
      .compose(id -> vertx.deployVerticle(new PresenceVerticle(rooms)))
      .compose(id -> deployRelay(metrics))
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

  /** Drains: {@code /health} turns 503, sessions are closed with 1001, then Vert.x stops. */
  public Future<Void> close() {
    state.set(NodeState.Phase.DRAINING);
    Future<Void> edges = edgeDeployment == null ? Future.succeededFuture() : vertx.undeploy(edgeDeployment);
    // Not composed on a context of this Vert.x: its event loops are gone by the time close completes.
    Promise<Void> closed = Promise.promise();
    edges.onComplete(ignored -> vertx.close().onComplete(closed));
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
