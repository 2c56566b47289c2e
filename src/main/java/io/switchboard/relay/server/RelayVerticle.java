package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.switchboard.bus.Addresses;
import io.switchboard.oneport.OnePortConnections;
import io.switchboard.oneport.OnePortSetup;
import io.switchboard.config.RelayConfig;
import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.ClientTransport;
import io.switchboard.relay.allocation.AllocationManager;
import io.switchboard.relay.allocation.Lifetimes;
import io.switchboard.relay.proto.ChannelData;
import io.switchboard.relay.policy.TurnRestAuthenticator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The STUN/TURN relay (RFC 8489, RFC 8656): one UDP listening socket, optionally TCP and TLS listeners
 * ({@link TurnStreams}, {@link StreamListeners}), plus one relay socket per allocation, all on this verticle's event
 * loop, driven through Netty directly so a relayed datagram is the received buffer itself, retained and narrowed to
 * the payload (ChannelData and Send towards peers), or one pooled buffer (towards clients), with no other per-packet
 * allocation than Netty's own packet object. Writes are flushed once per read batch, so the native transport can
 * send them with one system call.
 *
 * <p>One verticle listens on one address: {@code relay.host}, or the IPv6 {@code relay.host6} of a relay that
 * listens on both (each with its own verticles). Which listener a client reached has nothing to do with the family
 * of its relayed addresses ({@link RelayFamilies}): an IPv6 client may relay to IPv4 peers and vice versa.
 *
 * <p>Several instances may share the ports with SO_REUSEPORT (native epoll only): the kernel hashes each UDP
 * client's address, and spreads TCP and TLS connections, over the instances; an instance owns the allocations of
 * the clients it is given. Each counts the datagrams it reads on the UDP port ({@link RelayEvents#listenerDatagram}),
 * which shows how evenly the kernel spreads the clients.
 *
 * <p>This class holds the lifecycle (sockets, sweep timer) and the UDP read path. ChannelData is told apart from
 * STUN by its first two bits and goes to the {@link DataPath}; STUN goes to the {@link MessageDispatch}, which TCP
 * and TLS connections share. Every answer leaves through the {@link Responder}.
 */
public final class RelayVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(RelayVerticle.class.getName());

  /**
   * Receive buffer asked for on the listening socket, which takes every client's datagrams: bursts beyond the
   * kernel's buffer are lost before the relay sees them. Linux caps it at net.core.rmem_max (often 208 KiB):
   * raise that on a busy relay (see docs/relay.md).
   */
  private static final int LISTENER_RECEIVE_BUFFER = 4 * 1024 * 1024;

  private final RelayServices services;
  private final RelayEvents events;
  /** This verticle's index among the node's relay instances, 0-based. */
  private final int instance;
  /** The IP literal this verticle listens on (relay.host or relay.host6), on relay.port. */
  private final String listenHost;
  /** One-port mode, when this verticle serves it; else null. */
  private final OnePortSetup onePort;
  private final AllocationManager allocations = new AllocationManager();
  // made in start(), once the listening channel exists, before it can read
  private MessageDispatch dispatch;
  private AllocationRequests allocationRequests;
  private DataPath dataPath;
  private TurnStreams streams;
  private StreamListeners streamListeners;
  private TurnTlsContext tls;
  /** The UDP listening socket, made in start(); {@link #listener} once bound, null when start() failed. */
  private DatagramChannel udpChannel;
  private DatagramChannel listener;
  private InetSocketAddress listenAddress;
  private long sweepTimer = -1;
  /** Takes this instance's live allocations out of the node's TURN usage queries; null before start(). */
  private Runnable usageRegistration;

  /** A verticle listening on {@code relay.host}. */
  public RelayVerticle(RelayServices services, int instance) {
    this(services, instance, services.config().host(), null);
  }

  /**
   * A verticle listening on {@code listenHost} (relay.host or relay.host6), port relay.port, and, when
   * {@code onePort} is given, on the one-port listener too (TURN over TLS there is this verticle's).
   */
  public RelayVerticle(RelayServices services, int instance, String listenHost, OnePortSetup onePort) {
    this.services = services;
    this.events = services.events();
    this.instance = instance;
    this.listenHost = listenHost;
    this.onePort = onePort;
  }

  // ---- lifecycle ----

  @Override
  public Future<?> start() {
    var config = services.config();
    String needsNative = config.instances() > 1 ? "relay.instances > 1 needs SO_REUSEPORT, which"
      : onePort != null ? "onePort.enabled needs a Unix socket to the HTTP server, which" : null;
    if (needsNative != null && !vertx.isNativeTransportEnabled()) {
      return Future.failedFuture(needsNative + " needs the native epoll transport; it is not available here"
        + (vertx.unavailableNativeTransportCause() == null ? ""
        : " (" + vertx.unavailableNativeTransportCause().getMessage() + ")"));
    }
    RelayFamilies families;
    try {
      listenAddress = new InetSocketAddress(InetAddress.getByName(listenHost), config.port());
      families = RelayFamilies.of(config);
    } catch (UnknownHostException e) {
      return Future.failedFuture(e);
    }
    UdpChannels channels = new UdpChannels(((VertxInternal) vertx).transport(),
      ((ContextInternal) context).nettyEventLoop());
    DatagramChannel channel = channels.newChannel(listenAddress.getAddress(), new ListenerHandler(),
      config.instances() > 1);
    channel.config().setReceiveBufferSize(LISTENER_RECEIVE_BUFFER);

    udpChannel = channel;
    Responder responder = new Responder(channel, events,
      new UnauthenticatedBudget(config.unauthorizedPerSecond(), config.unauthorizedBurst()));
    TurnAuthentication authentication = new TurnAuthentication(services, responder);
    dataPath = new DataPath(services);
    allocationRequests = new AllocationRequests(services, allocations, responder, authentication, channels, dataPath,
      families, context);
    PermissionRequests permissionRequests = new PermissionRequests(services, allocationRequests, responder);
    dispatch = new MessageDispatch(services, allocations, responder, authentication, dataPath, allocationRequests,
      permissionRequests);
    streams = new TurnStreams(services, allocations, dispatch, dataPath, allocationRequests);
    streamListeners = new StreamListeners(((VertxInternal) vertx).transport(),
      ((ContextInternal) context).nettyEventLoop(), config.instances() > 1);

    Promise<Void> bound = Promise.promise();
    channels.register(channel, listenAddress).addListener(f -> {
      if (f.isSuccess()) {
        listener = channel;
        bound.complete();
      } else {
        bound.fail(new IllegalStateException("relay cannot listen on udp " + listenAddress + ": "
          + f.cause().getMessage(), f.cause()));
      }
    });
    // every instance of every node hears of revoked credentials: each closes the allocations it holds
    Future<Void> revocations = vertx.eventBus().consumer(Addresses.TURN_REVOCATIONS,
      message -> revoke(message.body())).completion();
    return Future.all(bound.future(), revocations, loadTls()).compose(v -> listenStreams()).onSuccess(v -> {
      usageRegistration = services.usage().register(context, allocations);
      sweepTimer = vertx.setPeriodic(Lifetimes.SWEEP_INTERVAL.toMillis(), id -> sweep());
      LOG.log(System.Logger.Level.DEBUG, "relay listening on udp {0}", listenAddress);
    }).recover(cause -> stop().transform(ignored -> Future.failedFuture(cause))); // a port taken: release the others
  }

  /**
   * The TLS context when relay.tls is on, its pair read off the event loop; called from start(), on this verticle's
   * context, so the renewal timer and its swaps run there too.
   */
  private Future<Void> loadTls() {
    RelayConfig.Streams config = services.config().streams();
    if (!config.tlsEnabled()) {
      return Future.succeededFuture();
    }
    return TurnTlsContext.load(vertx, config.tlsCert(), config.tlsKey(), Duration.ofSeconds(config.tlsReloadSeconds()),
      services.clock()).onSuccess(context -> tls = context).mapEmpty();
  }

  /** The TCP and TLS listeners, where enabled (relay.tcp, relay.tls), on relay.host. */
  private Future<Void> listenStreams() {
    RelayConfig.Streams config = services.config().streams();
    InetAddress host = listenAddress.getAddress();
    Future<Void> tcp = !config.tcpEnabled() ? Future.succeededFuture()
      : streamListeners.listenTcp(new InetSocketAddress(host, config.tcpPort()), streams);
    Future<Void> tlsToo = !config.tlsEnabled() ? tcp
      : tcp.compose(v -> streamListeners.listenTls(new InetSocketAddress(host, config.tlsPort()), streams, tls));
    return onePort == null ? tlsToo : tlsToo.compose(v -> listenOnePort());
  }

  /** The one-port listener: its TURN connections are this instance's, its HTTP ones go to the edge. */
  private Future<Void> listenOnePort() {
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(InetAddress.getByName(onePort.config().host()), onePort.config().port());
    } catch (UnknownHostException e) {
      return Future.failedFuture(e);
    }
    OnePortConnections connections = new OnePortConnections(onePort, ((VertxInternal) vertx).transport(),
      channel -> streams.attach(channel, ClientTransport.TLS));
    return streamListeners.listenOnePort(address, connections.initializer());
  }

  /**
   * Revokes the TURN REST usernames of a revocation message: remembered until they expire (so they open, refresh,
   * permit and bind nothing), and this instance's allocations made with them close now.
   */
  private void revoke(Object body) {
    List<String> usernames = new ArrayList<>();
    if (body instanceof JsonObject json && json.getValue("usernames") instanceof JsonArray list) {
      for (Object item : list) {
        if (item instanceof String username && TurnRestAuthenticator.restExpiry(username) >= 0) {
          usernames.add(username);
        }
      }
    }
    if (usernames.isEmpty()) {
      LOG.log(System.Logger.Level.WARNING, "malformed TURN revocation dropped");
      return;
    }
    for (String username : usernames) {
      services.revocations().revoke(username, TurnRestAuthenticator.restExpiry(username));
      events.credentialRevoked();
    }
    for (Allocation allocation : allocations.all()) {
      if (usernames.contains(allocation.username())) {
        allocationRequests.delete(allocation, RelayEvents.DeleteReason.REVOKED);
      }
    }
  }

  @Override
  public Future<?> stop() {
    if (usageRegistration != null) {
      usageRegistration.run();
    }
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    if (tls != null) {
      tls.stop();
    }
    Future<Void> streamsClosed = Future.succeededFuture();
    if (streams != null) {
      streamsClosed = streamListeners.close();
      streams.closeAll();
    }
    for (Allocation allocation : allocations.all()) {
      allocationRequests.delete(allocation, RelayEvents.DeleteReason.SHUTDOWN);
    }
    if (listener == null) {
      return streamsClosed;
    }
    Promise<Void> closed = Promise.promise();
    listener.close().addListener(f -> closed.complete());
    return Future.all(streamsClosed, closed.future());
  }

  /** Runs on this verticle's event loop (a Vert.x timer on its context). */
  private void sweep() {
    long now = services.nanoClock().getAsLong();
    services.reservations().sweep(now);
    services.revocations().sweep(services.epochSeconds());
    for (Allocation expired : allocations.sweep(now)) {
      allocationRequests.release(expired, RelayEvents.DeleteReason.EXPIRED);
    }
  }

  /** The address and port clients reach this instance on (for tests). */
  public InetSocketAddress listenAddress() {
    return listenAddress;
  }

  /** Allocations held by this instance (for tests and metrics); call on its event loop. */
  public int allocationCount() {
    return allocations.size();
  }

  /**
   * This instance's TURN-over-TCP/TLS handling, for a listener built elsewhere that hands it accepted connections
   * ({@link TurnStreams#attach}) on this instance's event loop; null before start().
   */
  public TurnStreams turnStreams() {
    return streams;
  }

  /** This instance's event loop: where a connection handed to {@link #turnStreams()} must be registered. */
  public EventLoop eventLoop() {
    return ((ContextInternal) context).nettyEventLoop();
  }

  // ---- datagrams from clients ----

  private final class ListenerHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DatagramPacket packet = (DatagramPacket) msg;
      try {
        events.listenerDatagram(instance);
        fromClient(packet.content(), packet.sender());
      } catch (RuntimeException e) {
        // A hostile datagram never takes the socket (or anyone else's allocation) down.
        events.dropped(RelayEvents.Drop.INTERNAL_ERROR);
        LOG.log(System.Logger.Level.WARNING, "relay: datagram from " + packet.sender() + " failed", e);
      } finally {
        packet.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      dataPath.flushDirty();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // UDP: an ICMP error or a refused write is about one datagram, never a reason to close the socket.
      LOG.log(System.Logger.Level.DEBUG, "relay listener: {0}", cause.toString());
    }
  }

  private void fromClient(ByteBuf buf, InetSocketAddress client) {
    long now = services.nanoClock().getAsLong();
    if (ChannelData.looksLikeChannelData(buf)) {
      dataPath.channelDataFromClient(buf, allocations.get(client), now);
      return;
    }
    dispatch.stun(buf, new UdpClient(udpChannel, client, listenAddress), now);
  }
}
