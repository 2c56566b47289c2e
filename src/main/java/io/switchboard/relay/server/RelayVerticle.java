package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.AllocationManager;
import io.switchboard.relay.allocation.Bandwidth;
import io.switchboard.relay.allocation.ChannelBinding;
import io.switchboard.relay.allocation.FiveTuple;
import io.switchboard.relay.allocation.Lifetimes;
import io.switchboard.relay.policy.Authenticator;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelData;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Data;
import io.switchboard.relay.proto.ErrorCodeAttribute;
import io.switchboard.relay.proto.EvenPort;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.MalformedMessageException;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageIntegrity;
import io.switchboard.relay.proto.MessageIntegritySha256;
import io.switchboard.relay.proto.MessageType;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.Nonce;
import io.switchboard.relay.proto.PasswordAlgorithm;
import io.switchboard.relay.proto.PasswordAlgorithms;
import io.switchboard.relay.proto.Realm;
import io.switchboard.relay.proto.RequestedAddressFamily;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.ReservationToken;
import io.switchboard.relay.proto.Software;
import io.switchboard.relay.proto.StunError;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.UnknownAttributes;
import io.switchboard.relay.proto.Username;
import io.switchboard.relay.proto.XorAddress;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.transport.Transport;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The STUN/TURN relay on UDP (RFC 8489, RFC 8656): one listening socket, plus one relay socket per allocation, all
 * on this verticle's event loop, driven through Netty directly so a relayed datagram is the received buffer itself,
 * retained and narrowed to the payload (ChannelData and Send towards peers), or one pooled buffer (towards
 * clients), with no other per-packet allocation than Netty's own packet object. Writes are flushed once per read batch, so the native
 * transport can send them with one system call.
 *
 * <p>Several instances may share the port with SO_REUSEPORT (native epoll only): the kernel hashes each client's
 * address to one instance, which then owns that client's allocations.
 *
 * <p>Dispatch is one table: ChannelData is told apart from STUN by its first two bits; STUN requests go to the
 * handler registered for their message type; the only indication accepted is Send.
 */
public final class RelayVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(RelayVerticle.class.getName());

  /** Largest datagram read; WebRTC never sends more than about 1200-1500 bytes in one. */
  static final int MAX_DATAGRAM = 8192;
  /** Bytes queued on one socket before datagrams to it are dropped (counted as BACKPRESSURE). */
  private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 512 * 1024);
  /**
   * Receive buffer asked for on the listening socket, which takes every client's datagrams: bursts beyond the
   * kernel's buffer are lost before the relay sees them. Linux caps it at net.core.rmem_max (often 208 KiB):
   * raise that on a busy relay (see docs/relay.md).
   */
  private static final int LISTENER_RECEIVE_BUFFER = 4 * 1024 * 1024;
  /** Tries to find a bindable relay port before answering 508. */
  private static final int MAX_BIND_ATTEMPTS = 8;
  /** Writes collected before they are flushed even within one read batch. */
  private static final int MAX_DIRTY = 64;
  /** Password algorithms offered in challenges, in order of preference (RFC 8489 section 14.11). */
  private static final int[] PASSWORD_ALGORITHMS = {PasswordAlgorithm.MD5, PasswordAlgorithm.SHA256};

  /** A request that passed the long-term credential check. */
  private record Auth(String username, byte[] key, boolean sha256, Authenticator.Credential credential) {
  }

  /** One authenticated TURN request. */
  private record Request(StunMessage message, InetSocketAddress client, Auth auth, long nowNanos) {
  }

  @FunctionalInterface
  private interface Handler {
    void handle(Request request);
  }

  private final RelayServices services;
  private final RelayEvents events;
  private final AllocationManager allocations = new AllocationManager();
  private final Map<Integer, Handler> dispatch = new HashMap<>();
  private final List<Channel> dirty = new ArrayList<>();
  private final byte[] indicationId = new byte[StunMessage.TRANSACTION_ID_LENGTH];
  private UnauthenticatedBudget budget;
  private Transport transport;
  private EventLoop loop;
  private DatagramChannel listener;
  private InetSocketAddress listenAddress;
  private InetAddress relayBindAddress;
  private InetAddress advertisedAddress;
  private long sweepTimer = -1;

  public RelayVerticle(RelayServices services) {
    this.services = services;
    this.events = services.events();
    dispatch.put(MessageType.encode(Method.ALLOCATE, MessageClass.REQUEST), this::allocate);
    dispatch.put(MessageType.encode(Method.REFRESH, MessageClass.REQUEST), this::refresh);
    dispatch.put(MessageType.encode(Method.CREATE_PERMISSION, MessageClass.REQUEST), this::createPermission);
    dispatch.put(MessageType.encode(Method.CHANNEL_BIND, MessageClass.REQUEST), this::channelBind);
  }

  // ---- lifecycle ----

  @Override
  public Future<?> start() {
    var config = services.config();
    budget = new UnauthenticatedBudget(config.unauthorizedPerSecond(), config.unauthorizedBurst());
    if (config.instances() > 1 && !vertx.isNativeTransportEnabled()) {
      return Future.failedFuture("relay.instances > 1 needs SO_REUSEPORT, which needs the native epoll transport; "
        + "it is not available here" + (vertx.unavailableNativeTransportCause() == null ? ""
        : " (" + vertx.unavailableNativeTransportCause().getMessage() + ")"));
    }
    try {
      listenAddress = new InetSocketAddress(InetAddress.getByName(config.host()), config.port());
      relayBindAddress = InetAddress.getByName(config.relayHost());
      advertisedAddress = config.externalAddress().isEmpty() ? relayBindAddress
        : InetAddress.getByName(config.externalAddress());
    } catch (UnknownHostException e) {
      return Future.failedFuture(e);
    }
    transport = ((VertxInternal) vertx).transport();
    loop = ((ContextInternal) context).nettyEventLoop();
    DatagramChannel channel = newChannel(listenAddress.getAddress(), new ListenerHandler(),
      config.instances() > 1);
    channel.config().setReceiveBufferSize(LISTENER_RECEIVE_BUFFER);
    Promise<Void> bound = Promise.promise();
    register(channel, listenAddress).addListener(f -> {
      if (f.isSuccess()) {
        listener = channel;
        bound.complete();
      } else {
        bound.fail(new IllegalStateException("relay cannot listen on udp " + listenAddress + ": "
          + f.cause().getMessage(), f.cause()));
      }
    });
    return bound.future().onSuccess(v -> {
      sweepTimer = vertx.setPeriodic(Lifetimes.SWEEP_INTERVAL.toMillis(), id -> sweep());
      LOG.log(System.Logger.Level.DEBUG, "relay listening on udp {0}", listenAddress);
    });
  }

  @Override
  public Future<?> stop() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    for (Allocation allocation : List.copyOf(allocations.all())) {
      delete(allocation, RelayEvents.DeleteReason.SHUTDOWN);
    }
    if (listener == null) {
      return Future.succeededFuture();
    }
    Promise<Void> closed = Promise.promise();
    listener.close().addListener(f -> closed.complete());
    return closed.future();
  }

  private DatagramChannel newChannel(InetAddress address, ChannelInboundHandlerAdapter handler, boolean reusePort) {
    DatagramChannel channel = transport.datagramChannel(address instanceof Inet4Address
      ? InternetProtocolFamily.IPv4 : InternetProtocolFamily.IPv6);
    transport.configure(channel, new DatagramSocketOptions().setReusePort(reusePort));
    channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM));
    channel.config().setWriteBufferWaterMark(WATER_MARK);
    channel.pipeline().addLast(handler);
    return channel;
  }

  /** Registers {@code channel} on this verticle's event loop and binds it; the future completes on that loop. */
  private ChannelFuture register(Channel channel, InetSocketAddress local) {
    ChannelFuture registered = loop.register(channel);
    io.netty.channel.ChannelPromise done = channel.newPromise();
    registered.addListener(r -> {
      if (!r.isSuccess()) {
        done.setFailure(r.cause());
        return;
      }
      channel.bind(local).addListener(b -> {
        if (b.isSuccess()) {
          done.setSuccess();
        } else {
          channel.close();
          done.setFailure(b.cause());
        }
      });
    });
    return done;
  }

  /** Runs on this verticle's event loop (a Vert.x timer on its context). */
  private void sweep() {
    long now = System.nanoTime();
    services.reservations().sweep(now);
    for (Allocation expired : allocations.sweep(now)) {
      release(expired, RelayEvents.DeleteReason.EXPIRED);
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
      flushDirty();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // UDP: an ICMP error or a refused write is about one datagram, never a reason to close the socket.
      LOG.log(System.Logger.Level.DEBUG, "relay listener: {0}", cause.toString());
    }
  }

  private void fromClient(ByteBuf buf, InetSocketAddress client) {
    long now = System.nanoTime();
    if (ChannelData.looksLikeChannelData(buf)) {
      channelDataFromClient(buf, client, now);
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
    switch (message.messageClass()) {
      case REQUEST -> request(message, client, now);
      case INDICATION -> {
        if (message.method() == Method.SEND) {
          sendIndication(message, client, now);
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
      unauthenticatedError(message, client, now, StunError.UNKNOWN_ATTRIBUTE, unknown);
      return;
    }
    if (message.method() == Method.BINDING) {
      binding(message, client, now);
      return;
    }
    Handler handler = dispatch.get(message.type());
    if (handler == null) {
      unauthenticatedError(message, client, now, StunError.BAD_REQUEST, null);
      return;
    }
    Auth auth;
    try {
      auth = authenticate(message, client, now);
    } catch (MalformedMessageException e) {
      events.authFailure(RelayEvents.AuthFailure.BAD_REQUEST, client);
      unauthenticatedError(message, client, now, StunError.BAD_REQUEST, null);
      return;
    }
    if (auth == null) {
      return;
    }
    Request request = new Request(message, client, auth, now);
    try {
      handler.handle(request);
    } catch (MalformedMessageException e) {
      error(request, StunError.BAD_REQUEST);
    }
  }

  // ---- STUN Binding ----

  private void binding(StunMessage message, InetSocketAddress client, long now) {
    if (!budget.tryTake(client.getAddress(), now)) {
      events.dropped(RelayEvents.Drop.UNAUTHENTICATED_BUDGET);
      return;
    }
    ByteBuf out = listener.alloc().ioBuffer(64);
    MessageWriter writer = MessageWriter.answer(out, message, MessageClass.SUCCESS);
    XorAddress.write(writer, AttributeType.XOR_MAPPED_ADDRESS, client);
    Software.write(writer, RelayServices.SOFTWARE);
    writer.fingerprint();
    sendToClient(out, client);
  }

  // ---- authentication (RFC 8489 section 9.2) ----

  /** The verified credentials of {@code message}, or null after answering it with a challenge or an error. */
  private Auth authenticate(StunMessage message, InetSocketAddress client, long now) {
    boolean sha1 = MessageIntegrity.present(message);
    boolean sha256 = MessageIntegritySha256.present(message);
    if (!sha1 && !sha256) {
      events.challenged();
      challenge(message, client, now, StunError.UNAUTHORIZED);
      return null;
    }
    String username = Username.read(message);
    String realm = Realm.read(message);
    String nonce = Nonce.read(message);
    if (username == null || realm == null || nonce == null) {
      events.authFailure(RelayEvents.AuthFailure.BAD_REQUEST, client);
      unauthenticatedError(message, client, now, StunError.BAD_REQUEST, null);
      return null;
    }
    if (services.nonces().check(nonce, client) != NonceService.Check.VALID) {
      events.authFailure(RelayEvents.AuthFailure.STALE_NONCE, client);
      challenge(message, client, now, StunError.STALE_NONCE);
      return null;
    }
    if (!realm.equals(services.config().realm())) {
      events.authFailure(RelayEvents.AuthFailure.WRONG_REALM, client);
      challenge(message, client, now, StunError.UNAUTHORIZED);
      return null;
    }
    int algorithm = PasswordAlgorithm.read(message);
    boolean offered = message.has(AttributeType.PASSWORD_ALGORITHMS);
    if (algorithm >= 0 || offered) {
      // RFC 8489 section 9.2.4: both or neither, the list exactly as we sent it, and a choice from it
      if (algorithm < 0 || !offered || !PasswordAlgorithms.valueEquals(message, PASSWORD_ALGORITHMS)
        || (algorithm != PasswordAlgorithm.MD5 && algorithm != PasswordAlgorithm.SHA256)) {
        events.authFailure(RelayEvents.AuthFailure.BAD_REQUEST, client);
        unauthenticatedError(message, client, now, StunError.BAD_REQUEST, null);
        return null;
      }
    } else {
      algorithm = PasswordAlgorithm.MD5;
    }
    Authenticator.Credential credential = services.authenticator().credential(username, realm, algorithm);
    if (credential == null) {
      events.authFailure(RelayEvents.AuthFailure.UNKNOWN_USER, client);
      challenge(message, client, now, StunError.UNAUTHORIZED);
      return null;
    }
    for (byte[] key : credential.keys()) {
      boolean verified = sha256 ? MessageIntegritySha256.verify(message, key) : MessageIntegrity.verify(message, key);
      if (verified) {
        return new Auth(username, key, sha256, credential);
      }
    }
    events.authFailure(RelayEvents.AuthFailure.BAD_INTEGRITY, client);
    challenge(message, client, now, StunError.UNAUTHORIZED);
    return null;
  }

  /**
   * 401 or 438 with REALM, a fresh NONCE and PASSWORD-ALGORITHMS; no SOFTWARE, so the answer stays small.
   * Budgeted per source address.
   */
  private void challenge(StunMessage message, InetSocketAddress client, long now, StunError error) {
    if (!budget.tryTake(client.getAddress(), now)) {
      events.dropped(RelayEvents.Drop.UNAUTHENTICATED_BUDGET);
      return;
    }
    events.errorAnswered(error);
    ByteBuf out = listener.alloc().ioBuffer(160);
    MessageWriter writer = MessageWriter.answer(out, message, MessageClass.ERROR);
    ErrorCodeAttribute.write(writer, error);
    Realm.write(writer, services.config().realm());
    Nonce.write(writer, services.nonces().issue(client));
    PasswordAlgorithms.write(writer, PASSWORD_ALGORITHMS);
    writer.fingerprint();
    sendToClient(out, client);
  }

  /** An error to a request that is not (yet) authenticated: unsigned, budgeted. */
  private void unauthenticatedError(StunMessage message, InetSocketAddress client, long now, StunError error,
                                    int[] unknown) {
    if (!budget.tryTake(client.getAddress(), now)) {
      events.dropped(RelayEvents.Drop.UNAUTHENTICATED_BUDGET);
      return;
    }
    events.errorAnswered(error);
    ByteBuf out = listener.alloc().ioBuffer(96);
    MessageWriter writer = MessageWriter.answer(out, message, MessageClass.ERROR);
    ErrorCodeAttribute.write(writer, error);
    if (unknown != null) {
      UnknownAttributes.write(writer, unknown);
    }
    writer.fingerprint();
    sendToClient(out, client);
  }

  /** A signed error answer to an authenticated request. */
  private void error(Request request, StunError error) {
    events.errorAnswered(error);
    ByteBuf out = listener.alloc().ioBuffer(128);
    MessageWriter writer = MessageWriter.answer(out, request.message(), MessageClass.ERROR);
    ErrorCodeAttribute.write(writer, error);
    signAndSend(writer, request.auth(), request.client());
  }

  private void signAndSend(MessageWriter writer, Auth auth, InetSocketAddress client) {
    Software.write(writer, RelayServices.SOFTWARE);
    if (auth.sha256()) {
      writer.integritySha256(auth.key());
    } else {
      writer.integrity(auth.key());
    }
    writer.fingerprint();
    sendToClient(writer.buffer(), client);
  }

  private void sendToClient(ByteBuf out, InetSocketAddress client) {
    listener.writeAndFlush(new DatagramPacket(out, client), listener.voidPromise());
  }

  // ---- Allocate (RFC 8656 section 7) ----

  private void allocate(Request request) {
    StunMessage message = request.message();
    InetSocketAddress client = request.client();
    Allocation existing = allocations.get(client);
    if (existing != null) {
      if (message.sameTransaction(existing.transactionId())) {
        // a retransmission: the same answer again, or nothing while the relay socket is being bound
        if (existing.successResponse() != null) {
          sendToClient(listener.alloc().ioBuffer().writeBytes(existing.successResponse()), client);
        }
        return;
      }
      error(request, StunError.ALLOCATION_MISMATCH);
      return;
    }
    int transportProtocol = RequestedTransport.read(message);
    if (transportProtocol < 0) {
      error(request, StunError.BAD_REQUEST);
      return;
    }
    if (transportProtocol != RequestedTransport.UDP) {
      error(request, StunError.UNSUPPORTED_TRANSPORT_PROTOCOL);
      return;
    }
    int family = RequestedAddressFamily.read(message);
    int ourFamily = advertisedAddress instanceof Inet4Address ? XorAddress.FAMILY_IPV4 : XorAddress.FAMILY_IPV6;
    if (family >= 0 && family != ourFamily) {
      error(request, StunError.ADDRESS_FAMILY_NOT_SUPPORTED);
      return;
    }
    EvenPort.Request even = EvenPort.read(message);
    Long token = ReservationToken.read(message);
    if (token != null && even != EvenPort.Request.NONE) {
      error(request, StunError.BAD_REQUEST);
      return;
    }
    long nowSeconds = services.epochSeconds();
    if (request.auth().credential().expired(nowSeconds)) {
      // an expired credential opens no new allocation (refreshing an existing one is another matter)
      events.authFailure(RelayEvents.AuthFailure.EXPIRED, client);
      challenge(message, client, request.nowNanos(), StunError.UNAUTHORIZED);
      return;
    }
    long lifetime = Lifetimes.allocationSeconds(Lifetime.read(message),
      services.config().defaultLifetimeSeconds(), services.config().maxLifetimeSeconds());
    String username = request.auth().username();
    if (!services.quota().tryAcquire(username)) {
      events.quotaReached();
      error(request, StunError.ALLOCATION_QUOTA_REACHED);
      return;
    }
    long credentialExpiry = request.auth().credential().expiresAtEpochSeconds();
    long refreshDeadline = credentialExpiry == Long.MAX_VALUE ? Long.MAX_VALUE
      : credentialExpiry + services.config().maxLifetimeSeconds();
    Allocation allocation = new Allocation(new FiveTuple(client, listenAddress), username, message.transactionId(),
      refreshDeadline, new Bandwidth(services.config().maxBitsPerSecond(), request.nowNanos()));
    allocations.add(allocation);
    Auth auth = request.auth();
    int reserved = -1;
    if (token != null) {
      reserved = services.reservations().take(token, request.nowNanos());
      if (reserved < 0) {
        allocationFailed(allocation, auth);
        return;
      }
    }
    bindRelay(allocation, auth, lifetime, even, reserved, 1);
  }

  /**
   * Takes a port (any, even, an even pair, or {@code reserved}) and binds the relay socket; tries other ports a
   * few times when one is held by another process, then answers 508.
   */
  private void bindRelay(Allocation allocation, Auth auth, long lifetime, EvenPort.Request even, int reserved,
                         int attempt) {
    int port = reserved >= 0 ? reserved
      : even == EvenPort.Request.EVEN_AND_RESERVE_NEXT ? services.ports().acquireEvenPair()
      : services.ports().acquire(even == EvenPort.Request.EVEN);
    InetSocketAddress client = allocation.fiveTuple().client();
    if (port < 0 || attempt > MAX_BIND_ATTEMPTS) {
      if (port >= 0) {
        releasePorts(port, even);
      }
      allocationFailed(allocation, auth);
      return;
    }
    DatagramChannel relay = newChannel(relayBindAddress, new PeerHandler(allocation), false);
    register(relay, new InetSocketAddress(relayBindAddress, port)).addListener(f -> {
      if (!f.isSuccess()) {
        releasePorts(port, even);
        if (allocation.closed() || reserved >= 0) {
          if (!allocation.closed()) {
            allocationFailed(allocation, auth);
          }
          return;
        }
        bindRelay(allocation, auth, lifetime, even, -1, attempt + 1);
        return;
      }
      relay.closeFuture().addListener(c -> services.ports().release(port));
      if (allocation.closed()) {
        if (even == EvenPort.Request.EVEN_AND_RESERVE_NEXT) {
          services.ports().release(port + 1);
        }
        relay.close();
        return;
      }
      Long reservation = null;
      if (even == EvenPort.Request.EVEN_AND_RESERVE_NEXT) {
        reservation = services.reservations().reserve(port + 1, System.nanoTime());
        if (reservation == null) {
          services.ports().release(port + 1);
        }
      }
      allocation.relayBound(relay, new InetSocketAddress(advertisedAddress, port));
      allocation.expiresIn(lifetime, System.nanoTime());
      ByteBuf out = listener.alloc().ioBuffer(160);
      MessageWriter writer = MessageWriter.start(out, Method.ALLOCATE, MessageClass.SUCCESS,
        allocation.transactionId());
      XorAddress.write(writer, AttributeType.XOR_RELAYED_ADDRESS, allocation.relayedAddress());
      Lifetime.write(writer, lifetime);
      XorAddress.write(writer, AttributeType.XOR_MAPPED_ADDRESS, client);
      if (reservation != null) {
        ReservationToken.write(writer, reservation);
      }
      Software.write(writer, RelayServices.SOFTWARE);
      if (auth.sha256()) {
        writer.integritySha256(auth.key());
      } else {
        writer.integrity(auth.key());
      }
      writer.fingerprint();
      allocation.successResponse(ByteBufUtil.getBytes(out));
      events.allocationCreated(allocation);
      sendToClient(out, client);
    });
  }

  private void releasePorts(int port, EvenPort.Request even) {
    services.ports().release(port);
    if (even == EvenPort.Request.EVEN_AND_RESERVE_NEXT) {
      services.ports().release(port + 1);
    }
  }

  private void allocationFailed(Allocation allocation, Auth auth) {
    allocations.remove(allocation);
    allocation.close();
    services.quota().release(allocation.username());
    events.errorAnswered(StunError.INSUFFICIENT_CAPACITY);
    ByteBuf out = listener.alloc().ioBuffer(128);
    MessageWriter writer = MessageWriter.start(out, Method.ALLOCATE, MessageClass.ERROR, allocation.transactionId());
    ErrorCodeAttribute.write(writer, StunError.INSUFFICIENT_CAPACITY);
    signAndSend(writer, auth, allocation.fiveTuple().client());
  }

  /** The allocation of the request's five-tuple, after the RFC's checks; null once an error is answered. */
  private Allocation allocationFor(Request request) {
    Allocation allocation = allocations.get(request.client());
    if (allocation == null || allocation.pending()) {
      error(request, StunError.ALLOCATION_MISMATCH);
      return null;
    }
    if (!allocation.username().equals(request.auth().username())) {
      events.authFailure(RelayEvents.AuthFailure.WRONG_CREDENTIALS, request.client());
      error(request, StunError.WRONG_CREDENTIALS);
      return null;
    }
    return allocation;
  }

  // ---- Refresh (RFC 8656 section 8) ----

  private void refresh(Request request) {
    Allocation allocation = allocationFor(request);
    if (allocation == null) {
      return;
    }
    long requested = Lifetime.read(request.message());
    long granted;
    if (requested == 0) {
      delete(allocation, RelayEvents.DeleteReason.REFRESH);
      granted = 0;
    } else {
      granted = Lifetimes.allocationSeconds(requested, services.config().defaultLifetimeSeconds(),
        services.config().maxLifetimeSeconds());
      long left = allocation.refreshDeadlineEpochSeconds() - services.epochSeconds();
      if (left <= 0) {
        // the credential expired more than one maximum lifetime ago: no more extensions
        events.authFailure(RelayEvents.AuthFailure.EXPIRED, request.client());
        error(request, StunError.WRONG_CREDENTIALS);
        return;
      }
      granted = Math.min(granted, left);
      allocation.expiresIn(granted, request.nowNanos());
    }
    ByteBuf out = listener.alloc().ioBuffer(128);
    MessageWriter writer = MessageWriter.answer(out, request.message(), MessageClass.SUCCESS);
    Lifetime.write(writer, granted);
    signAndSend(writer, request.auth(), request.client());
  }

  // ---- CreatePermission (RFC 8656 section 10) ----

  private void createPermission(Request request) {
    Allocation allocation = allocationFor(request);
    if (allocation == null) {
      return;
    }
    StunMessage message = request.message();
    List<InetAddress> peers = new ArrayList<>();
    for (int i = 0; i < message.attributeCount(); i++) {
      if (message.attributeType(i) == AttributeType.XOR_PEER_ADDRESS) {
        peers.add(XorAddress.readAt(message, i).getAddress());
      }
    }
    if (peers.isEmpty()) {
      error(request, StunError.BAD_REQUEST);
      return;
    }
    // the peer policy first: a refused address is 403 whatever its family
    for (InetAddress peer : peers) {
      if (!services.peerPolicy().allowed(peer)) {
        events.peerRefused(allocation, peer);
        error(request, StunError.FORBIDDEN);
        return;
      }
    }
    for (InetAddress peer : peers) {
      if (!sameFamily(peer, allocation)) {
        error(request, StunError.PEER_ADDRESS_FAMILY_MISMATCH);
        return;
      }
    }
    int room = Lifetimes.MAX_PERMISSIONS_PER_ALLOCATION - allocation.permissionCount();
    long fresh = peers.stream().distinct().filter(p -> !allocation.hasPermissionEntry(p)).count();
    if (fresh > room) {
      error(request, StunError.INSUFFICIENT_CAPACITY);
      return;
    }
    for (InetAddress peer : peers) {
      if (allocation.permit(peer, request.nowNanos()) == Allocation.PermitResult.CREATED) {
        events.permissionCreated(allocation, peer);
      }
    }
    ByteBuf out = listener.alloc().ioBuffer(96);
    signAndSend(MessageWriter.answer(out, message, MessageClass.SUCCESS), request.auth(), request.client());
  }

  private boolean sameFamily(InetAddress peer, Allocation allocation) {
    return (peer instanceof Inet4Address) == (allocation.relayedAddress().getAddress() instanceof Inet4Address);
  }

  // ---- ChannelBind (RFC 8656 section 11) ----

  private void channelBind(Request request) {
    Allocation allocation = allocationFor(request);
    if (allocation == null) {
      return;
    }
    StunMessage message = request.message();
    int number = ChannelNumber.read(message);
    InetSocketAddress peer = XorAddress.read(message, AttributeType.XOR_PEER_ADDRESS);
    if (number < 0 || !ChannelNumber.valid(number) || peer == null) {
      error(request, StunError.BAD_REQUEST);
      return;
    }
    if (!services.peerPolicy().allowed(peer.getAddress())) {
      events.peerRefused(allocation, peer.getAddress());
      error(request, StunError.FORBIDDEN);
      return;
    }
    if (!sameFamily(peer.getAddress(), allocation)) {
      error(request, StunError.PEER_ADDRESS_FAMILY_MISMATCH);
      return;
    }
    if (!allocation.hasPermissionEntry(peer.getAddress())
      && allocation.permissionCount() >= Lifetimes.MAX_PERMISSIONS_PER_ALLOCATION) {
      error(request, StunError.INSUFFICIENT_CAPACITY);
      return;
    }
    switch (allocation.bind(number, peer, request.nowNanos())) {
      case CONFLICT -> {
        error(request, StunError.BAD_REQUEST);
        return;
      }
      case TOO_MANY -> {
        error(request, StunError.INSUFFICIENT_CAPACITY);
        return;
      }
      case CREATED -> events.channelBound(allocation, number, peer);
      case REFRESHED -> {
      }
    }
    if (allocation.permit(peer.getAddress(), request.nowNanos()) == Allocation.PermitResult.CREATED) {
      events.permissionCreated(allocation, peer.getAddress());
    }
    ByteBuf out = listener.alloc().ioBuffer(96);
    signAndSend(MessageWriter.answer(out, message, MessageClass.SUCCESS), request.auth(), request.client());
  }

  // ---- relaying: client to peer ----

  private void sendIndication(StunMessage message, InetSocketAddress client, long now) {
    Allocation allocation = allocations.get(client);
    if (allocation == null || allocation.pending()) {
      events.dropped(RelayEvents.Drop.NO_ALLOCATION);
      return;
    }
    InetSocketAddress peer;
    int data;
    try {
      peer = XorAddress.read(message, AttributeType.XOR_PEER_ADDRESS);
      data = Data.find(message);
    } catch (MalformedMessageException e) {
      events.dropped(RelayEvents.Drop.MALFORMED);
      return;
    }
    if (peer == null || data < 0 || !sameFamily(peer.getAddress(), allocation)) {
      events.dropped(RelayEvents.Drop.MALFORMED);
      return;
    }
    if (!services.peerPolicy().allowed(peer.getAddress())) {
      events.dropped(RelayEvents.Drop.PEER_REFUSED);
      return;
    }
    if (!allocation.permitted(peer.getAddress(), now)) {
      events.dropped(RelayEvents.Drop.NO_PERMISSION);
      return;
    }
    int length = message.valueLength(data);
    if (admit(allocation, allocation.relay(), length, now)) {
      allocation.relay().write(new DatagramPacket(narrowed(message.buffer(), message.valueOffset(data), length), peer),
        allocation.relay().voidPromise());
      markDirty(allocation.relay());
      events.relayed(RelayEvents.Direction.CLIENT_TO_PEER, length);
    }
  }

  private void channelDataFromClient(ByteBuf buf, InetSocketAddress client, long now) {
    Allocation allocation = allocations.get(client);
    if (allocation == null || allocation.pending()) {
      events.dropped(RelayEvents.Drop.NO_ALLOCATION);
      return;
    }
    int number = ChannelData.channel(buf);
    if (number < 0) {
      events.dropped(RelayEvents.Drop.MALFORMED);
      return;
    }
    ChannelBinding binding = allocation.channel(number, now);
    if (binding == null) {
      events.dropped(RelayEvents.Drop.NO_CHANNEL);
      return;
    }
    if (!allocation.permitted(binding.peer().getAddress(), now)) {
      events.dropped(RelayEvents.Drop.NO_PERMISSION);
      return;
    }
    int length = ChannelData.dataLength(buf);
    if (admit(allocation, allocation.relay(), length, now)) {
      allocation.relay().write(new DatagramPacket(
        narrowed(buf, buf.readerIndex() + ChannelData.HEADER_LENGTH, length), binding.peer()),
        allocation.relay().voidPromise());
      markDirty(allocation.relay());
      events.relayed(RelayEvents.Direction.CLIENT_TO_PEER, length);
    }
  }

  /**
   * The received buffer itself, retained and narrowed to {@code [offset, offset + length)}: forwarded without a
   * copy and without even a slice object. The caller must not read the buffer afterwards (the handler only
   * releases it).
   */
  private static ByteBuf narrowed(ByteBuf received, int offset, int length) {
    return received.retain().setIndex(offset, offset + length);
  }

  /** Bandwidth cap and back-pressure: false (and counted) when the datagram must be dropped. */
  private boolean admit(Allocation allocation, Channel out, int length, long now) {
    if (!allocation.bandwidth().tryTake(length, now)) {
      events.dropped(RelayEvents.Drop.BANDWIDTH);
      return false;
    }
    if (!out.isWritable()) {
      events.dropped(RelayEvents.Drop.BACKPRESSURE);
      return false;
    }
    return true;
  }

  // ---- relaying: peer to client ----

  private final class PeerHandler extends ChannelInboundHandlerAdapter {

    private final Allocation allocation;

    PeerHandler(Allocation allocation) {
      this.allocation = allocation;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DatagramPacket packet = (DatagramPacket) msg;
      try {
        fromPeer(allocation, packet.content(), packet.sender());
      } catch (RuntimeException e) {
        events.dropped(RelayEvents.Drop.INTERNAL_ERROR);
        LOG.log(System.Logger.Level.WARNING, "relay: datagram from peer " + packet.sender() + " failed", e);
      } finally {
        packet.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      flushDirty();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.log(System.Logger.Level.DEBUG, "relay socket {0}: {1}", allocation.relayedAddress(), cause.toString());
    }
  }

  private void fromPeer(Allocation allocation, ByteBuf data, InetSocketAddress peer) {
    long now = System.nanoTime();
    if (allocation.closed()) {
      return;
    }
    if (!allocation.permitted(peer.getAddress(), now)) {
      events.dropped(RelayEvents.Drop.NO_PERMISSION);
      return;
    }
    int length = data.readableBytes();
    if (!admit(allocation, listener, length, now)) {
      return;
    }
    ChannelBinding binding = allocation.channelFor(peer, now);
    ByteBuf out;
    if (binding != null) {
      out = listener.alloc().ioBuffer(ChannelData.HEADER_LENGTH + length);
      ChannelData.writeHeader(out, binding.number(), length);
      out.writeBytes(data, data.readerIndex(), length);
    } else {
      // Data indication (RFC 8656 section 11.6): XOR-PEER-ADDRESS and DATA, a fresh transaction id
      ThreadLocalRandom.current().nextBytes(indicationId);
      out = listener.alloc().ioBuffer(StunMessage.HEADER_LENGTH + 24 + 4 + length + 3);
      MessageWriter writer = MessageWriter.start(out, Method.DATA, MessageClass.INDICATION, indicationId);
      XorAddress.write(writer, AttributeType.XOR_PEER_ADDRESS, peer);
      Data.write(writer, data, data.readerIndex(), length);
    }
    listener.write(new DatagramPacket(out, allocation.fiveTuple().client()), listener.voidPromise());
    markDirty(listener);
    events.relayed(RelayEvents.Direction.PEER_TO_CLIENT, length);
  }

  // ---- batching and clean-up ----

  private void markDirty(Channel channel) {
    if (!dirty.contains(channel)) {
      dirty.add(channel);
      if (dirty.size() >= MAX_DIRTY) {
        flushDirty();
      }
    }
  }

  private void flushDirty() {
    for (int i = 0; i < dirty.size(); i++) {
      dirty.get(i).flush();
    }
    dirty.clear();
  }

  private void delete(Allocation allocation, RelayEvents.DeleteReason reason) {
    if (allocations.remove(allocation)) {
      release(allocation, reason);
    }
  }

  /** Closes a removed allocation's socket and gives back its quota (its port is given back when the socket closes). */
  private void release(Allocation allocation, RelayEvents.DeleteReason reason) {
    boolean wasLive = !allocation.pending();
    if (allocation.close()) {
      services.quota().release(allocation.username());
      if (wasLive) {
        events.allocationDeleted(allocation, reason);
      }
    }
  }
}
