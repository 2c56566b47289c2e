package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.socket.DatagramChannel;
import io.switchboard.relay.allocation.Allocation;
import io.switchboard.cluster.HazelcastFutures;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.switchboard.relay.allocation.AllocationManager;
import io.switchboard.relay.allocation.Bandwidth;
import io.switchboard.relay.allocation.Lifetimes;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ErrorCodeAttribute;
import io.switchboard.relay.proto.EvenPort;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedAddressFamily;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.ReservationToken;
import io.switchboard.relay.proto.StunError;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.XorAddress;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Allocate (RFC 8656 section 7: quota, relay port with EVEN-PORT and RESERVATION-TOKEN, binding the relay
 * socket) and Refresh (section 8), the allocation check the other requests share, and deleting allocations.
 */
final class AllocationRequests {

  private static final System.Logger LOG = System.getLogger(AllocationRequests.class.getName());

  /** Tries to find a bindable relay port before answering 508. */
  private static final int MAX_BIND_ATTEMPTS = 8;

  private final RelayServices services;
  private final RelayEvents events;
  /** The relay's own context: where the cluster-wide quota's answer continues. */
  private final Context context;
  private final AllocationManager allocations;
  private final Responder responder;
  private final TurnAuthentication authentication;
  private final UdpChannels channels;
  private final DataPath dataPath;
  private final InetAddress relayBindAddress;
  /** The relayed address's host as clients are told it (relay.externalAddress, else the bind address). */
  private final InetAddress advertisedAddress;

  AllocationRequests(RelayServices services, AllocationManager allocations, Responder responder,
                     TurnAuthentication authentication, UdpChannels channels, DataPath dataPath,
                     InetAddress relayBindAddress, InetAddress advertisedAddress,
                     Context context) {
    this.context = context;
    this.services = services;
    this.events = services.events();
    this.allocations = allocations;
    this.responder = responder;
    this.authentication = authentication;
    this.channels = channels;
    this.dataPath = dataPath;
    this.relayBindAddress = relayBindAddress;
    this.advertisedAddress = advertisedAddress;
  }

  // ---- Allocate (RFC 8656 section 7) ----

  /** What an Allocate asks for, read from its attributes before anything is taken. */
  private record Wanted(EvenPort.Request even, Long reservationToken, long lifetimeSeconds) {
  }

  /**
   * RFC 8656 section 7.2, in its order: the request is authenticated already (step 1); the five-tuple must be
   * free (2); the attributes are read and checked (3-7); an expired credential opens nothing; a RESERVATION-TOKEN's
   * port is taken before the quota (8) is asked; the allocation is then pending while the cluster-wide quota
   * answers and the relay socket is bound.
   */
  void allocate(TurnRequest request) {
    Allocation existing = allocations.of(request.client());
    if (existing != null) {
      answerExisting(request, existing);
      return;
    }
    Wanted wanted = readWanted(request);
    if (wanted == null || refuseExpiredCredential(request)) {
      return;
    }
    // a held port is taken first: its quota unit turns into the new allocation's, so a quota full of the
    // reserver's own reservation still admits the Allocate that claims it
    int reserved = -1;
    if (wanted.reservationToken() != null) {
      reserved = services.reservations().take(wanted.reservationToken(), request.nowNanos());
      if (reserved < 0) {
        responder.error(request, StunError.INSUFFICIENT_CAPACITY);
        return;
      }
    }
    if (!services.quota().tryAcquire(request.auth().credential().owner())) {
      if (reserved >= 0) {
        services.ports().release(reserved);
      }
      events.quotaReached();
      responder.error(request, StunError.ALLOCATION_QUOTA_REACHED);
      return;
    }
    Allocation allocation = addPending(request);
    int port = reserved;
    TurnAuthentication.Auth auth = request.auth();
    // the request's bytes are gone by the time the cluster answers: only copies (auth, the allocation) go along
    HazelcastFutures.on(services.clusterQuota().tryAcquire(allocation.owner()), context)
      .onComplete(answer -> clusterQuotaAnswered(answer, allocation, auth, wanted, port));
  }

  /** Step 2: a retransmission gets the same answer again (or none while the relay socket is being bound). */
  private void answerExisting(TurnRequest request, Allocation existing) {
    if (!request.message().sameTransaction(existing.transactionId())) {
      responder.error(request, StunError.ALLOCATION_MISMATCH);
      return;
    }
    byte[] answer = existing.successResponse();
    if (answer != null) {
      responder.send(responder.buffer(answer.length).writeBytes(answer), request.client());
    }
  }

  /** Steps 3-7: REQUESTED-TRANSPORT, RESERVATION-TOKEN (alone), then REQUESTED-ADDRESS-FAMILY; null once refused. */
  private Wanted readWanted(TurnRequest request) {
    StunMessage message = request.message();
    int transportProtocol = RequestedTransport.read(message);
    if (transportProtocol < 0) {
      responder.error(request, StunError.BAD_REQUEST);
      return null;
    }
    if (transportProtocol != RequestedTransport.UDP) {
      responder.error(request, StunError.UNSUPPORTED_TRANSPORT_PROTOCOL);
      return null;
    }
    int family = RequestedAddressFamily.read(message);
    EvenPort.Request even = EvenPort.read(message);
    Long token = ReservationToken.read(message);
    // step 5 before the family (7): a reserved port has its family and parity already, asking again conflicts
    if (token != null && (even != EvenPort.Request.NONE || family >= 0)) {
      responder.error(request, StunError.BAD_REQUEST);
      return null;
    }
    int ourFamily = advertisedAddress instanceof Inet4Address ? XorAddress.FAMILY_IPV4 : XorAddress.FAMILY_IPV6;
    if (family >= 0 && family != ourFamily) {
      responder.error(request, StunError.ADDRESS_FAMILY_NOT_SUPPORTED);
      return null;
    }
    long lifetime = Lifetimes.allocationSeconds(Lifetime.read(message),
      services.config().defaultLifetimeSeconds(), services.config().maxLifetimeSeconds());
    return new Wanted(even, token, lifetime);
  }

  /** An expired credential opens no new allocation (refreshing an existing one is another matter). */
  private boolean refuseExpiredCredential(TurnRequest request) {
    if (!request.auth().credential().expired(services.epochSeconds())) {
      return false;
    }
    events.authFailure(RelayEvents.AuthFailure.EXPIRED, request.client().address());
    authentication.challenge(request.message(), request.client(), request.nowNanos(), StunError.UNAUTHORIZED);
    return true;
  }

  /** Adds the allocation, pending until its relay socket is bound, so a retransmission meanwhile is recognised. */
  private Allocation addPending(TurnRequest request) {
    long credentialExpiry = request.auth().credential().expiresAtEpochSeconds();
    long refreshDeadline = credentialExpiry == Long.MAX_VALUE ? Long.MAX_VALUE
      : credentialExpiry + services.config().maxLifetimeSeconds();
    Allocation allocation = new Allocation(request.client(),
      request.auth().username(), request.auth().credential().owner(), request.message().transactionId(),
      refreshDeadline, new Bandwidth(services.config().maxBitsPerSecond(), request.nowNanos()));
    allocations.add(allocation);
    return allocation;
  }

  /** On the relay's context: admitted (or the cluster unavailable) binds the relay socket; refused answers 486. */
  private void clusterQuotaAnswered(AsyncResult<Boolean> answer, Allocation allocation, TurnAuthentication.Auth auth,
                                    Wanted wanted, int reserved) {
    if (answer.failed()) {
      LOG.log(System.Logger.Level.WARNING, "cluster-wide TURN quota unavailable, admitting: {0}",
        answer.cause().toString());
    }
    boolean admitted = answer.failed() || Boolean.TRUE.equals(answer.result());
    if (allocation.closed()) {
      // deleted while the cluster answered (the relay is stopping): its other units are back already
      if (admitted) {
        services.clusterQuota().release(allocation.owner());
      }
      if (reserved >= 0) {
        services.ports().release(reserved);
      }
    } else if (admitted) {
      allocation.clusterCounted(true);
      bindRelay(allocation, auth, wanted, reserved, 1);
    } else {
      if (reserved >= 0) {
        services.ports().release(reserved);
      }
      events.quotaReached();
      refuse(allocation, auth, StunError.ALLOCATION_QUOTA_REACHED);
    }
  }

  /**
   * Takes a port (any, even, an even pair, or {@code reserved}) and binds the relay socket; tries other ports a
   * few times when one is held by another process, then answers 508.
   */
  private void bindRelay(Allocation allocation, TurnAuthentication.Auth auth, Wanted wanted, int reserved,
                         int attempt) {
    EvenPort.Request even = wanted.even();
    int port = reserved >= 0 ? reserved
      : even == EvenPort.Request.EVEN_AND_RESERVE_NEXT ? services.ports().acquireEvenPair()
      : services.ports().acquire(even == EvenPort.Request.EVEN);
    if (port < 0 || attempt > MAX_BIND_ATTEMPTS) {
      if (port >= 0) {
        releasePorts(port, even);
      }
      allocationFailed(allocation, auth);
      return;
    }
    DatagramChannel relay = channels.newChannel(relayBindAddress, dataPath.peerHandler(allocation), false);
    channels.register(relay, new InetSocketAddress(relayBindAddress, port)).addListener(f -> {
      if (f.isSuccess()) {
        relayBound(allocation, auth, wanted, relay, port);
      } else {
        bindFailed(allocation, auth, wanted, port, reserved, attempt);
      }
    });
  }

  /** A port held by another process: another port, unless the allocation is gone or its port was reserved. */
  private void bindFailed(Allocation allocation, TurnAuthentication.Auth auth, Wanted wanted, int port,
                          int reserved, int attempt) {
    releasePorts(port, wanted.even());
    if (allocation.closed()) {
      return;
    }
    if (reserved >= 0) {
      allocationFailed(allocation, auth);
      return;
    }
    bindRelay(allocation, auth, wanted, -1, attempt + 1);
  }

  /** The relay socket is bound: the allocation goes live and the Allocate is answered. */
  private void relayBound(Allocation allocation, TurnAuthentication.Auth auth, Wanted wanted, DatagramChannel relay,
                          int port) {
    relay.closeFuture().addListener(c -> services.ports().release(port));
    boolean pair = wanted.even() == EvenPort.Request.EVEN_AND_RESERVE_NEXT;
    if (allocation.closed()) {
      if (pair) {
        services.ports().release(port + 1);
      }
      relay.close();
      return;
    }
    Long reservation = null;
    if (pair) {
      // the held port counts against the owner's quota until it is taken or lapses
      reservation = services.reservations().reserve(port + 1, allocation.owner(),
        services.nanoClock().getAsLong());
      if (reservation == null) {
        services.ports().release(port + 1);
      }
    }
    allocation.relayBound(relay, new InetSocketAddress(advertisedAddress, port));
    allocation.expiresIn(wanted.lifetimeSeconds(), services.nanoClock().getAsLong());
    answerAllocated(allocation, auth, wanted.lifetimeSeconds(), reservation);
  }

  private void answerAllocated(Allocation allocation, TurnAuthentication.Auth auth, long lifetime, Long reservation) {
    ByteBuf out = responder.buffer(160);
    MessageWriter writer = MessageWriter.start(out, Method.ALLOCATE, MessageClass.SUCCESS,
      allocation.transactionId());
    XorAddress.write(writer, AttributeType.XOR_RELAYED_ADDRESS, allocation.relayedAddress());
    Lifetime.write(writer, lifetime);
    XorAddress.write(writer, AttributeType.XOR_MAPPED_ADDRESS, allocation.fiveTuple().client());
    if (reservation != null) {
      ReservationToken.write(writer, reservation);
    }
    responder.sign(writer, auth);
    // kept to answer a retransmitted Allocate with the same bytes
    allocation.successResponse(ByteBufUtil.getBytes(out));
    events.allocationCreated(allocation);
    responder.send(out, allocation.client());
  }

  private void releasePorts(int port, EvenPort.Request even) {
    services.ports().release(port);
    if (even == EvenPort.Request.EVEN_AND_RESERVE_NEXT) {
      services.ports().release(port + 1);
    }
  }

  private void allocationFailed(Allocation allocation, TurnAuthentication.Auth auth) {
    refuse(allocation, auth, StunError.INSUFFICIENT_CAPACITY);
  }

  /** Undoes a pending allocation and answers its Allocate with {@code error}, from copies of the request. */
  private void refuse(Allocation allocation, TurnAuthentication.Auth auth, StunError error) {
    allocations.remove(allocation);
    allocation.close();
    services.quota().release(allocation.owner());
    releaseClusterUnit(allocation);
    events.errorAnswered(error);
    ByteBuf out = responder.buffer(128);
    MessageWriter writer = MessageWriter.start(out, Method.ALLOCATE, MessageClass.ERROR, allocation.transactionId());
    ErrorCodeAttribute.write(writer, error);
    responder.signAndSend(writer, auth, allocation.client());
  }

  /** The allocation of the request's five-tuple, after the RFC's checks; null once an error is answered. */
  Allocation allocationFor(TurnRequest request) {
    Allocation allocation = allocations.of(request.client());
    if (allocation == null || allocation.pending()) {
      responder.error(request, StunError.ALLOCATION_MISMATCH);
      return null;
    }
    if (!allocation.username().equals(request.auth().username())) {
      events.authFailure(RelayEvents.AuthFailure.WRONG_CREDENTIALS, request.client().address());
      responder.error(request, StunError.WRONG_CREDENTIALS);
      return null;
    }
    return allocation;
  }

  // ---- Refresh (RFC 8656 section 8) ----

  void refresh(TurnRequest request) {
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
        events.authFailure(RelayEvents.AuthFailure.EXPIRED, request.client().address());
        responder.error(request, StunError.WRONG_CREDENTIALS);
        return;
      }
      granted = Math.min(granted, left);
      allocation.expiresIn(granted, request.nowNanos());
    }
    ByteBuf out = responder.buffer(128);
    MessageWriter writer = MessageWriter.answer(out, request.message(), MessageClass.SUCCESS);
    Lifetime.write(writer, granted);
    responder.signAndSend(writer, request.auth(), request.client());
  }

  // ---- clean-up ----

  void delete(Allocation allocation, RelayEvents.DeleteReason reason) {
    if (allocations.remove(allocation)) {
      release(allocation, reason);
    }
  }

  private void releaseClusterUnit(Allocation allocation) {
    if (allocation.clusterCounted()) {
      allocation.clusterCounted(false);
      services.clusterQuota().release(allocation.owner());
    }
  }

  /** Closes a removed allocation's socket and gives back its quota (its port is given back when the socket closes). */
  void release(Allocation allocation, RelayEvents.DeleteReason reason) {
    boolean wasLive = !allocation.pending();
    if (allocation.close()) {
      services.quota().release(allocation.owner());
      releaseClusterUnit(allocation);
      if (wasLive) {
        events.allocationDeleted(allocation, reason);
      }
    }
  }
}
