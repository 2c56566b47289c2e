package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.switchboard.bus.Addresses;
import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.AllocationManager;
import io.switchboard.relay.allocation.Lifetimes;
import io.switchboard.relay.proto.ChannelData;
import io.switchboard.relay.proto.Fingerprint;
import io.switchboard.relay.proto.MalformedMessageException;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageType;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.StunError;
import io.switchboard.relay.policy.TurnRestAuthenticator;
import io.switchboard.relay.proto.StunMessage;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The STUN/TURN relay on UDP (RFC 8489, RFC 8656): one listening socket, plus one relay socket per allocation, all
 * on this verticle's event loop, driven through Netty directly so a relayed datagram is the received buffer itself,
 * retained and narrowed to the payload (ChannelData and Send towards peers), or one pooled buffer (towards
 * clients), with no other per-packet allocation than Netty's own packet object. Writes are flushed once per read
 * batch, so the native transport can send them with one system call.
 *
 * <p>One verticle listens on one address: {@code relay.host}, or the IPv6 {@code relay.host6} of a relay that
 * listens on both (each with its own verticles). Which listener a client reached has nothing to do with the family
 * of its relayed addresses ({@link RelayFamilies}): an IPv6 client may relay to IPv4 peers and vice versa.
 *
 * <p>Several instances may share the port with SO_REUSEPORT (native epoll only): the kernel hashes each client's
 * address to one instance, which then owns that client's allocations. Each counts the datagrams it reads there
 * ({@link RelayEvents#listenerDatagram}), which shows how evenly the kernel spreads the clients.
 *
 * <p>This class holds the lifecycle (sockets, sweep timer), the read path and the dispatch table. ChannelData is
 * told apart from STUN by its first two bits; Binding is answered before any authentication; other STUN requests
 * are authenticated ({@link TurnAuthentication}) and go to the handler registered for their message type
 * ({@link AllocationRequests}, {@link PermissionRequests}); the only indication accepted is Send. Relayed data
 * is {@link DataPath}'s; every answer leaves through the {@link Responder}.
 */
public final class RelayVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(RelayVerticle.class.getName());

  /**
   * Receive buffer asked for on the listening socket, which takes every client's datagrams: bursts beyond the
   * kernel's buffer are lost before the relay sees them. Linux caps it at net.core.rmem_max (often 208 KiB):
   * raise that on a busy relay (see docs/relay.md).
   */
  private static final int LISTENER_RECEIVE_BUFFER = 4 * 1024 * 1024;

  /** A handler of one authenticated request type. */
  @FunctionalInterface
  private interface Handler {
    void handle(TurnRequest request);
  }

  private final RelayServices services;
  private final RelayEvents events;
  /** This verticle's index among the node's relay instances, 0-based. */
  private final int instance;
  /** The IP literal this verticle listens on (relay.host or relay.host6), on relay.port. */
  private final String listenHost;
  private final AllocationManager allocations = new AllocationManager();
  /** One handler per (method, class) of authenticated request, keyed by the STUN message type. */
  private final Map<Integer, Handler> dispatch = new HashMap<>();
  // made in start(), once the listening channel exists, before it can read
  private Responder responder;
  private TurnAuthentication authentication;
  private AllocationRequests allocationRequests;
  private DataPath dataPath;
  /** Set once bound; null when start() failed. */
  private DatagramChannel listener;
  private InetSocketAddress listenAddress;
  private long sweepTimer = -1;

  /** A verticle listening on {@code relay.host}. */
  public RelayVerticle(RelayServices services, int instance) {
    this(services, instance, services.config().host());
  }

  /** A verticle listening on {@code listenHost} (relay.host or relay.host6), port relay.port. */
  public RelayVerticle(RelayServices services, int instance, String listenHost) {
    this.services = services;
    this.events = services.events();
    this.instance = instance;
    this.listenHost = listenHost;
  }

  // ---- lifecycle ----

  @Override
  public Future<?> start() {
    var config = services.config();
    if (config.instances() > 1 && !vertx.isNativeTransportEnabled()) {
      return Future.failedFuture("relay.instances > 1 needs SO_REUSEPORT, which needs the native epoll transport; "
        + "it is not available here" + (vertx.unavailableNativeTransportCause() == null ? ""
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

    responder = new Responder(channel, events,
      new UnauthenticatedBudget(config.unauthorizedPerSecond(), config.unauthorizedBurst()));
    authentication = new TurnAuthentication(services, responder);
    dataPath = new DataPath(services, allocations, channel);
    allocationRequests = new AllocationRequests(services, allocations, responder, authentication, channels, dataPath,
      listenAddress, families, context);
    PermissionRequests permissionRequests = new PermissionRequests(services, allocationRequests, responder);
    dispatch.put(MessageType.encode(Method.ALLOCATE, MessageClass.REQUEST), allocationRequests::allocate);
    dispatch.put(MessageType.encode(Method.REFRESH, MessageClass.REQUEST), allocationRequests::refresh);
    dispatch.put(MessageType.encode(Method.CREATE_PERMISSION, MessageClass.REQUEST),
      permissionRequests::createPermission);
    dispatch.put(MessageType.encode(Method.CHANNEL_BIND, MessageClass.REQUEST), permissionRequests::channelBind);

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
    return Future.all(bound.future(), revocations).onSuccess(v -> {
      sweepTimer = vertx.setPeriodic(Lifetimes.SWEEP_INTERVAL.toMillis(), id -> sweep());
      LOG.log(System.Logger.Level.DEBUG, "relay listening on udp {0}", listenAddress);
    });
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
    for (Allocation allocation : List.copyOf(allocations.all())) {
      if (usernames.contains(allocation.username())) {
        allocationRequests.delete(allocation, RelayEvents.DeleteReason.REVOKED);
      }
    }
  }

  @Override
  public Future<?> stop() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    for (Allocation allocation : List.copyOf(allocations.all())) {
      allocationRequests.delete(allocation, RelayEvents.DeleteReason.SHUTDOWN);
    }
    if (listener == null) {
      return Future.succeededFuture();
    }
    Promise<Void> closed = Promise.promise();
    listener.close().addListener(f -> closed.complete());
    return closed.future();
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
      dataPath.channelDataFromClient(buf, client, now);
      return;
    }
    if (!StunMessage.looksLikeStun(buf)) {
      events.dropped(RelayEvents.Drop.MALFORMED);
      return;
    }
    StunMessage message;
    try {
      message = StunMessage.decode(buf);
    } catch (MalformedMessageException e) {
      events.dropped(RelayEvents.Drop.MALFORMED);
      return;
    }
    // RFC 8489 section 7.3: a FINGERPRINT that is present must match, else the message is discarded unanswered
    if (Fingerprint.present(message) && !Fingerprint.verify(message)) {
      events.dropped(RelayEvents.Drop.BAD_FINGERPRINT);
      return;
    }
    switch (message.messageClass()) {
      case REQUEST -> request(message, client, now);
      case INDICATION -> {
        if (message.method() == Method.SEND) {
          dataPath.sendIndication(message, client, now);
        } else {
          events.dropped(RelayEvents.Drop.UNEXPECTED);
        }
      }
      default -> events.dropped(RelayEvents.Drop.UNEXPECTED);
    }
  }

  private void request(StunMessage message, InetSocketAddress client, long now) {
    int[] unknown = message.unknownComprehensionRequired();
    if (unknown.length > 0) {
      responder.unauthenticatedError(message, client, now, StunError.UNKNOWN_ATTRIBUTE, unknown);
      return;
    }
    if (message.method() == Method.BINDING) {
      responder.bindingSuccess(message, client, now);
      return;
    }
    Handler handler = dispatch.get(message.type());
    if (handler == null) {
      responder.unauthenticatedError(message, client, now, StunError.BAD_REQUEST, null);
      return;
    }
    TurnAuthentication.Auth auth;
    try {
      auth = authentication.authenticate(message, client, now);
    } catch (MalformedMessageException e) {
      events.authFailure(RelayEvents.AuthFailure.BAD_REQUEST, client);
      responder.unauthenticatedError(message, client, now, StunError.BAD_REQUEST, null);
      return;
    }
    if (auth == null) {
      return;
    }
    TurnRequest request = new TurnRequest(message, client, auth, now);
    try {
      handler.handle(request);
    } catch (MalformedMessageException e) {
      responder.error(request, StunError.BAD_REQUEST);
    }
  }
}
