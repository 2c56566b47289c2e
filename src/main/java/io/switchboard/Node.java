package io.switchboard;

import com.hazelcast.config.SerializerConfig;
import io.switchboard.cluster.ClusterMembership;
import io.switchboard.cluster.ClusterTurnUsage;
import io.switchboard.cluster.HazelcastCredentialRooms;
import io.switchboard.cluster.EventBusTls;
import io.switchboard.cluster.HazelcastClusterQuota;
import io.switchboard.cluster.HazelcastFutures;
import io.switchboard.cluster.HazelcastSetup;
import io.switchboard.cluster.MemberCertificate;
import io.switchboard.cluster.MemberProbe;
import io.switchboard.cluster.TlsMemberProbe;
import io.switchboard.cluster.UnwrittenEventBusMessages;
import io.switchboard.config.ConfigException;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.ice.IceServers;
import io.switchboard.ice.TurnRevocations;
import io.switchboard.metrics.ClusterMetrics;
import io.switchboard.metrics.HttpLimitMetrics;
import io.switchboard.metrics.LimitMetrics;
import io.switchboard.metrics.PresenceMetrics;
import io.switchboard.metrics.RelayMetrics;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.metrics.TurnUsageMetrics;
import io.switchboard.oneport.InternalHttpSocket;
import io.switchboard.oneport.OnePortSetup;
import io.switchboard.relay.policy.ClusterQuota;
import io.switchboard.relay.policy.ServiceEndpoints;
import io.switchboard.relay.server.LoggingRelayEvents;
import io.switchboard.relay.server.RelayEvents;
import io.switchboard.relay.server.RelayServices;
import io.switchboard.relay.server.RelayVerticle;
import io.switchboard.relay.usage.CredentialRooms;
import io.switchboard.relay.usage.LocalCredentialRooms;
import io.switchboard.relay.usage.NodeTurnUsage;
import io.switchboard.relay.usage.TurnUsageQuery;
import io.switchboard.signaling.http.ConnectionLimits;
import io.switchboard.signaling.http.EdgeServices;
import io.switchboard.signaling.http.EdgeVerticle;
import io.switchboard.signaling.http.NodeState;
import io.switchboard.signaling.presence.ClusterView;
import io.switchboard.signaling.presence.GraceStats;
import io.switchboard.signaling.presence.LocalRoomStore;
import io.switchboard.signaling.presence.PresenceSettings;
import io.switchboard.signaling.presence.PresenceVerticle;
import io.switchboard.signaling.presence.RoomStore;
import io.switchboard.signaling.presence.hazelcast.HazelcastRoomStore;
import io.switchboard.signaling.presence.hazelcast.PresenceSerializers;
import io.switchboard.signaling.room.PresenceRoomDirectory;
import io.switchboard.signaling.room.RoomDirectory;
import io.switchboard.signaling.session.Ids;
import io.switchboard.signaling.session.ParticipantLimits;
import io.switchboard.signaling.session.SessionServices;
import io.switchboard.tls.PemFileWatcher;
import io.switchboard.tls.PemMaterial;
import io.switchboard.webhook.Webhooks;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * One Switchboard node: a Vert.x instance with one verticle per concern — room presence, the
 * HTTP/WebSocket edge (one instance per event loop) and, unless switched off, the STUN/TURN relay. Clustered,
 * Vert.x joins a Hazelcast cluster, the event bus runs over mutual TLS, other members count only once they
 * have proved they hold a certificate of the cluster CA, and presence is cluster-wide.
 */
public final class Node {

  private static final System.Logger LOG = System.getLogger(Node.class.getName());

  private final Vertx vertx;
  private final SwitchboardConfig config;
  private final String nodeId;
  private final NodeState state;
  /** The monotonic clock (nanoseconds) sessions and the relay measure rates, lifetimes and liveness with. */
  private final LongSupplier nanoClock;
  /** Null on a single node. */
  private final HazelcastClusterManager clusterManager;
  /** Null on a single node. */
  private final ClusterMembership membership;
  /** This node's listeners and the other members': the relay never relays to them. */
  private final ServiceEndpoints serviceEndpoints = new ServiceEndpoints();
  /** Allocations per owner across the cluster's relays; none on a single node. */
  private ClusterQuota clusterQuota = ClusterQuota.none();
  private String presenceDeployment;
  /** What the edges ask about rooms; set once presence is deployed. */
  private volatile RoomDirectory roomDirectory;
  /** One-port mode's hand-over socket to the HTTP server; null when the mode is off. */
  private InternalHttpSocket internalHttpSocket;
  /** Rooms with sessions here, for the rooms gauge; set when presence is deployed. */
  private volatile IntSupplier roomCount = () -> 0;
  private String edgeDeployment;
  /** Null when webhooks are off. */
  private Webhooks webhooks;
  private String webhooksDeployment;
  /** The HTTP port's certificate and its renewals; null when {@code http.tls} is not set. */
  private PemFileWatcher httpTls;
  /** This node's relays' per-room TURN usage, and the rooms of the credentials it issues. */
  private NodeTurnUsage nodeTurnUsage;
  /** The per-room TURN usage of the whole cluster (this node's alone on a single node). */
  private TurnUsageQuery turnUsage;

  private Node(Vertx vertx, SwitchboardConfig config, String nodeId, LongSupplier nanoClock,
               HazelcastClusterManager clusterManager, ClusterMembership membership) {
    this.vertx = vertx;
    this.config = config;
    this.nodeId = nodeId;
    this.state = new NodeState();
    this.nanoClock = nanoClock;
    this.clusterManager = clusterManager;
    this.membership = membership;
  }

  public static Future<Node> start(SwitchboardConfig config) {
    return start(config, System::nanoTime);
  }

  /** Starts a node whose sessions and relay measure time with {@code nanoClock}, a monotonic clock. */
  public static Future<Node> start(SwitchboardConfig config, LongSupplier nanoClock) {
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    String nodeId = config.node().id().isEmpty() ? Ids.random(9) : config.node().id();
    // native epoll where available: the relay's SO_REUSEPORT and batched datagram writes need it
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true);
    // Not composed on a context of this Vert.x: after a failed start it is closed and its event loops are gone.
    Promise<Node> started = Promise.promise();
    if (!config.cluster().enabled()) {
      Node node = new Node(Vertx.builder().with(options).build(), config, nodeId, nanoClock, null, null);
      node.serviceEndpoints.own(NodeListeners.of(config));
      node.deploy(loops, started);
      return started.future();
    }
    try {
      startClustered(config, nodeId, nanoClock, options, loops, started);
    } catch (RuntimeException e) {
      started.tryFail(e); // a refused certificate or Hazelcast file: nothing was started yet
    }
    return started.future();
  }

  /**
   * Joins the cluster: this member's certificate is checked before anything else (a member other members would
   * refuse learns why now), then Hazelcast and the event bus start, and the members already there are
   * authenticated before this node serves anyone.
   */
  private static void startClustered(SwitchboardConfig config, String nodeId, LongSupplier nanoClock,
                                     VertxOptions options, int loops, Promise<Node> started) {
    SwitchboardConfig.Cluster cluster = config.cluster();
    options.getEventBusOptions().setHost(cluster.host()).setPort(cluster.eventBusPort());
    if (!cluster.insecure()) {
      MemberCertificate certificate = MemberCertificate.check(cluster.tls(), Clock.systemUTC());
      if (certificate.notAfter().isBefore(Instant.now().plus(MemberCertificate.RENEWAL_WARNING))) {
        LOG.log(System.Logger.Level.WARNING, "cluster.tls.cert ({0}) expires on {1}: renew it before then",
          certificate.subject(), certificate.notAfter());
      }
      EventBusTls.apply(options.getEventBusOptions(), cluster.tls());
    }
    Map<String, String> attributes = Map.of(ClusterMembership.NODE_ATTRIBUTE, nodeId,
      NodeListeners.ATTRIBUTE, NodeListeners.describe(config));
    HazelcastFutures.boundDefaultExecutor();
    List<SerializerConfig> serializers = new ArrayList<>(PresenceSerializers.all());
    serializers.addAll(HazelcastClusterQuota.serializers());
    serializers.addAll(Webhooks.serializers());
    HazelcastClusterManager manager =
      new HazelcastClusterManager(HazelcastSetup.build(cluster, attributes, serializers));
    Vertx.builder().with(options).withClusterManager(manager).buildClustered().onComplete(ar -> {
      if (ar.failed()) {
        started.fail(ar.cause());
        return;
      }
      Vertx vertx = ar.result();
      vertx.exceptionHandler(new UnwrittenEventBusMessages());
      MemberProbe probe = cluster.insecure() ? MemberProbe.trustEveryone()
        : new TlsMemberProbe(vertx, manager, cluster.tls());
      ClusterMembership membership = new ClusterMembership(vertx, manager.getHazelcastInstance(), probe, nodeId);
      Node node = new Node(vertx, config, nodeId, nanoClock, manager, membership);
      node.serviceEndpoints.own(NodeListeners.of(config,
        manager.getHazelcastInstance().getCluster().getLocalMember().getAddress().getPort(),
        manager.getNodeInfo().port()));
      membership.listen(new MemberListeners(manager.getHazelcastInstance(), manager, node.serviceEndpoints));
      membership.start().onComplete(trust -> {
        if (trust.failed()) {
          node.refuseStart(trust.cause().getMessage(), started);
        } else if (membership.idTakenByAnother(nodeId)) {
          node.refuseStart("node id " + nodeId + " is already used by another cluster member; node ids must be "
            + "unique", started);
        } else {
          node.state.cluster(membership::memberCount, !cluster.insecure());
          node.startClusterQuota().onComplete(q -> node.deploy(loops, started));
        }
      });
    });
  }

  /** The cluster-wide TURN quota, when the relay runs and the key is not 0; a failure leaves it off, logged. */
  private Future<Void> startClusterQuota() {
    int limit = config.relay().maxAllocationsPerUserInCluster();
    if (!config.relay().enabled() || limit == 0) {
      return Future.succeededFuture();
    }
    HazelcastClusterQuota quota = new HazelcastClusterQuota(vertx, clusterManager.getHazelcastInstance(), membership,
      nodeId, limit);
    return quota.start().onSuccess(v -> {
      membership.listen(quota);
      clusterQuota = quota;
    }).onFailure(e -> LOG.log(System.Logger.Level.WARNING, "cluster-wide TURN quota off: {0}", e.toString()))
      .otherwiseEmpty();
  }

  private void refuseStart(String why, Promise<Node> started) {
    membership.stop();
    vertx.close().onComplete(ignored -> started.fail(new IllegalStateException(why)));
  }

  private void deploy(int loops, Promise<Node> started) {
    Future<Void> deployed;
    try {
      httpTls = watchHttpTls();
      deployed = deployVerticles(loops);
    } catch (ConfigException e) {
      deployed = Future.failedFuture(e); // the files changed since the configuration was checked
    }
    deployed.onComplete(ar -> {
      if (ar.succeeded()) {
        started.complete(this);
      } else {
        vertx.close().onComplete(ignored -> started.fail(ar.cause()));
      }
    });
  }

  /**
   * The certificate and key of {@code http.tls}, read again now (the configuration checked them a moment ago), and
   * the one watcher of this node that hands renewed pairs to every edge instance.
   */
  private PemFileWatcher watchHttpTls() {
    SwitchboardConfig.HttpTls tls = config.http().tls();
    if (!tls.enabled()) {
      return null;
    }
    Clock clock = Clock.systemUTC();
    PemMaterial pair = PemMaterial.read("http.tls", tls.cert(), tls.key(), clock.instant());
    if (pair.expiresSoon(clock.instant())) {
      LOG.log(System.Logger.Level.WARNING, "http.tls.cert ({0}) expires on {1}: renew it before then",
        pair.leaf().getSubjectX500Principal().getName(), pair.notAfter());
    }
    return new PemFileWatcher(vertx, "http.tls", pair, clock).start(Duration.ofSeconds(tls.reloadSeconds()));
  }

  private Future<Void> deployVerticles(int loops) {
    SwitchboardMetrics metrics = new SwitchboardMetrics(() -> roomCount.getAsInt());
    Future<Void> usageAnswers = startTurnUsage(metrics);
    Future<PresenceVerticle> presence = usageAnswers.compose(v -> deployWebhooks(metrics))
      .compose(v -> deployPresence(metrics));
    int edges = config.http().edgeInstances() == 0 ? loops : config.http().edgeInstances();
    return presence
      .compose(deployed -> {
        EdgeServices edge = edgeServices(metrics, deployed);
        return deployRelay(metrics).compose(id -> vertx.deployVerticle(() -> new EdgeVerticle(edge),
          new DeploymentOptions().setInstances(edges)));
      })
      .onSuccess(id -> {
        edgeDeployment = id;
        state.set(NodeState.Phase.UP);
      })
      .mapEmpty();
  }

  /** What every edge verticle shares; their room commands go to {@code presence}. */
  private EdgeServices edgeServices(SwitchboardMetrics metrics, PresenceVerticle presence) {
    roomDirectory = new PresenceRoomDirectory(vertx, presence);
    SessionServices sessions = new SessionServices(nodeId, config.limits(), roomDirectory, metrics,
      new TurnRevocations(vertx.eventBus()), new ParticipantLimits(config.limits()), nanoClock);
    ConnectionLimits connectionLimits = new ConnectionLimits(config.http(), System::nanoTime);
    HttpLimitMetrics httpLimitMetrics = new HttpLimitMetrics(metrics.registry(), connectionLimits::openConnections,
      connectionLimits::trackedAddresses);
    if (config.onePort().enabled()) {
      internalHttpSocket = InternalHttpSocket.create();
    }
    return new EdgeServices(config, state, sessions, new IceServers(config.ice(), Clock.systemUTC()),
      connectionLimits, httpLimitMetrics, httpTls,
      internalHttpSocket == null ? null : internalHttpSocket.path(), nodeTurnUsage.credentialRooms(), turnUsage);
  }

  /**
   * Per-room TURN usage: where credentials' rooms are recorded (in memory alone, a Hazelcast map in a cluster), this
   * node's relays' counts, and the query over the cluster, which answers other members once this completes.
   */
  private Future<Void> startTurnUsage(SwitchboardMetrics metrics) {
    CredentialRooms credentialRooms = clusterManager == null
      ? new LocalCredentialRooms(() -> System.currentTimeMillis() / 1000)
      : new HazelcastCredentialRooms(clusterManager.getHazelcastInstance(), Clock.systemUTC());
    nodeTurnUsage = new NodeTurnUsage(credentialRooms, nanoClock);
    TurnUsageMetrics.register(metrics.registry(), nodeTurnUsage);
    if (clusterManager == null) {
      turnUsage = nodeTurnUsage;
      return Future.succeededFuture();
    }
    ClusterTurnUsage cluster = new ClusterTurnUsage(vertx, membership, nodeId, nodeTurnUsage);
    turnUsage = cluster;
    return cluster.start();
  }

  /**
   * Webhooks, when {@code webhooks.urls} is set: deployed before presence, whose store then reports every change
   * this node commits.
   */
  private Future<Void> deployWebhooks(SwitchboardMetrics metrics) {
    if (!config.webhooks().enabled()) {
      return Future.succeededFuture();
    }
    webhooks = clusterManager == null ? Webhooks.standalone(config.webhooks(), turnUsage, metrics.registry())
      : Webhooks.clustered(config.webhooks(), clusterManager.getHazelcastInstance(), turnUsage, metrics.registry());
    return webhooks.deploy(vertx).onSuccess(id -> webhooksDeployment = id).mapEmpty();
  }

  /**
   * One presence verticle over the room store chosen here, once: in memory on a single node, the Hazelcast map
   * in a cluster. Everything else about presence is the same either way.
   */
  private Future<PresenceVerticle> deployPresence(SwitchboardMetrics metrics) {
    GraceStats graceStats = new GraceStats();
    PresenceMetrics presenceMetrics = new PresenceMetrics(metrics.registry(), graceStats::buffers, graceStats::bytes);
    RoomStore store;
    ClusterView view;
    if (clusterManager == null) {
      store = new LocalRoomStore();
      view = ClusterView.alone(nodeId);
    } else {
      new ClusterMetrics(metrics.registry(), membership::memberCount, membership::untrustedCount);
      store = new HazelcastRoomStore(vertx, clusterManager.getHazelcastInstance());
      view = viewOf(membership);
    }
    if (webhooks != null) {
      store = webhooks.wrap(store);
    }
    PresenceVerticle presence = new PresenceVerticle(PresenceSettings.of(nodeId, config), store, view,
      presenceMetrics, graceStats);
    roomCount = presence::roomCount;
    return vertx.deployVerticle(presence).map(id -> {
      presenceDeployment = id;
      return presence;
    });
  }

  /** Presence's view of the cluster: the members {@link ClusterMembership} trusts. */
  private static ClusterView viewOf(ClusterMembership membership) {
    return new ClusterView() {
      @Override
      public Set<String> liveNodes() {
        return membership.liveNodes();
      }

      @Override
      public boolean isOldest() {
        return membership.isOldest();
      }

      @Override
      public Runnable listen(Listener listener) {
        return membership.listen(new ClusterMembership.Listener() {
          @Override
          public void trusted(String nodeId) {
            listener.trusted(nodeId);
          }

          @Override
          public void left(String nodeId) {
            listener.left(nodeId);
          }

          @Override
          public void merged() {
            listener.merged();
          }
        });
      }
    };
  }

  /** The relay verticle(s), sharing the TURN secrets the edge signs {@code iceServers} credentials with. */
  private Future<?> deployRelay(SwitchboardMetrics metrics) {
    if (!config.relay().enabled()) {
      return Future.succeededFuture();
    }
    int instances = config.relay().instances();
    String host6 = config.relay().host6();
    // relay.instances verticles per listener: relay.host's are numbered first, then relay.host6's
    int listeners = host6.isEmpty() ? 1 : 2;
    RelayEvents events = RelayEvents.all(List.of(new RelayMetrics(metrics.registry(), instances * listeners),
      new LoggingRelayEvents()));
    LimitMetrics.relay(metrics.registry(), config.relay().maxAllocations());
    RelayServices relay = RelayServices.defaults(config.relay(), config.ice().turnSecrets(), events, Clock.systemUTC(),
      nanoClock, serviceEndpoints, clusterQuota, nodeTurnUsage);
    AtomicInteger nextInstance = new AtomicInteger();
    OnePortSetup onePort = internalHttpSocket == null ? null : new OnePortSetup(config.onePort(), httpTls,
      internalHttpSocket.path(), Duration.ofSeconds(config.http().headerTimeoutSeconds()));
    Future<?> main = vertx.deployVerticle(() -> new RelayVerticle(relay, nextInstance.getAndIncrement(),
      config.relay().host(), onePort), new DeploymentOptions().setInstances(instances));
    if (host6.isEmpty()) {
      return main;
    }
    AtomicInteger nextInstance6 = new AtomicInteger(instances);
    return main.compose(v -> vertx.deployVerticle(
      () -> new RelayVerticle(relay, nextInstance6.getAndIncrement(), host6, null),
      new DeploymentOptions().setInstances(instances)));
  }

  /**
   * Drains: {@code /health} turns 503 and sessions are closed with 1001, which puts them in their grace period.
   * In a cluster, presence then waits (at most the grace period) for their clients to resume them on other
   * members, handing over what it buffered, so no frame is lost; whatever is left leaves presence, and the other
   * members have applied that before this one leaves. Then webhooks get {@code webhooks.drainSeconds} to deliver
   * what is pending (in a cluster, the rest stays in the replicated outbox), and Vert.x stops and leaves the cluster.
   */
  public Future<Void> close() {
    state.set(NodeState.Phase.DRAINING);
    LOG.log(System.Logger.Level.INFO, "node {0} draining", nodeId);
    if (httpTls != null) {
      httpTls.stop();
    }
    Future<Void> edges = edgeDeployment == null ? Future.succeededFuture() : vertx.undeploy(edgeDeployment);
    // Not composed on a context of this Vert.x: its event loops are gone by the time close completes.
    Promise<Void> closed = Promise.promise();
    edges.onComplete(e -> {
      Future<Void> presence = presenceDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(presenceDeployment);
      presence.transform(p -> webhooksDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(webhooksDeployment)).onComplete(p -> {
        if (membership != null) {
          membership.stop();
        }
        vertx.close().onComplete(c -> {
          if (internalHttpSocket != null) {
            internalHttpSocket.delete();
          }
          LOG.log(System.Logger.Level.INFO, "node {0} stopped", nodeId);
          closed.handle(c);
        });
      });
    });
    return closed.future();
  }

  public String nodeId() {
    return nodeId;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The room directory this node's edges use (joins, leaves, the admin views); null until presence is up. */
  public RoomDirectory roomDirectory() {
    return roomDirectory;
  }

  /** The per-room TURN usage of the cluster's relays (of this node's alone on a single node); set once started. */
  public TurnUsageQuery turnUsage() {
    return turnUsage;
  }

  void logReady() {
    boolean tls = httpTls != null;
    String hostPort = displayHost(config.http().host()) + ":" + config.http().port();
    String certificate = tls ? " (TLS, certificate " + httpTls.current().describe() + ")" : "";
    String onePort = config.onePort().enabled() ? "; one port for HTTPS, wss and TURN over TLS: "
      + displayHost(config.onePort().host()) + ":" + config.onePort().port() : "";
    LOG.log(System.Logger.Level.INFO,
      "Switchboard node {0} ready: demo client {1}://{2}/ , WebSocket {3}://{2}/ws{4}{5}", nodeId,
      tls ? "https" : "http", hostPort, tls ? "wss" : "ws", certificate, onePort);
  }

  private static String displayHost(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
  }
}
