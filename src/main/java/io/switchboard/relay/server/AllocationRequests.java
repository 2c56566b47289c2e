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
import io.switchboard.relay.proto.AddressErrorCode;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.AdditionalAddressFamily;
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

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * Allocate (RFC 8656 section 7: address families, quota, relay port with EVEN-PORT and RESERVATION-TOKEN, binding
 * the relay socket — two of them for a dual allocation) and Refresh (section 8), the allocation check the other
 * requests share, and deleting allocations.
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
  /** Where relay sockets of each family bind, and the addresses clients are told (relay.externalAddress[6]). */
  private final RelayFamilies families;

  AllocationRequests(RelayServices services, AllocationManager allocations, Responder responder,
                     TurnAuthentication authentication, UdpChannels channels, DataPath dataPath,
                     RelayFamilies families, Context context) {
    this.context = context;
    this.services = services;
    this.events = services.events();
    this.allocations = allocations;
    this.responder = responder;
    this.authentication = authentication;
    this.channels = channels;
    this.dataPath = dataPath;
    this.families = families;
  }

  // ---- Allocate (RFC 8656 section 7) ----

  /**
   * What an Allocate asks for, read from its attributes before anything is taken: the families (the primary one is
   * null with a RESERVATION-TOKEN until its port, which has a family already, is taken), the port's parity and
   * the lifetime.
   */
  private record Wanted(EvenPort.Request even, Long reservationToken, long lifetimeSeconds,
                        RelayFamilies.Side primary, RelayFamilies.Side additional, StunError additionalError,
                        int addressErrorType) {

    Wanted reserved(RelayFamilies.Side side) {
      return new Wanted(even, reservationToken, lifetimeSeconds, side, null, null, addressErrorType);
    }
  }

  /** A bound relay socket, its port, and the relayed address clients are told. */
  private record BoundRelay(DatagramChannel channel, int port, InetSocketAddress relayed) {
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
      PortReservations.Claim claim = services.reservations().take(wanted.reservationToken(), request.nowNanos());
      RelayFamilies.Side side = claim == null ? null : families.of(claim.family());
      if (side == null) {
        if (claim != null) {
          services.ports().release(claim.port());
        }
        responder.error(request, StunError.INSUFFICIENT_CAPACITY);
        return;
      }
      reserved = claim.port();
      wanted = wanted.reserved(side);
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
    Wanted granted = wanted;
    // the request's bytes are gone by the time the cluster answers: only copies (auth, the allocation) go along
    HazelcastFutures.on(services.clusterQuota().tryAcquire(allocation.owner()), context)
      .onComplete(answer -> clusterQuotaAnswered(answer, allocation, auth, granted, port));
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

  /**
   * Steps 3-9: REQUESTED-TRANSPORT, RESERVATION-TOKEN (alone), then the address families ({@link AllocateFamilies});
   * null once refused.
   */
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
    EvenPort.Request even = EvenPort.read(message);
    Long token = ReservationToken.read(message);
    long lifetime = Lifetimes.allocationSeconds(Lifetime.read(message),
      services.config().defaultLifetimeSeconds(), services.config().maxLifetimeSeconds());
    // 5. "... a RESERVATION-TOKEN attribute. If yes, and the request also contains an EVEN-PORT or
    // REQUESTED-ADDRESS-FAMILY or ADDITIONAL-ADDRESS-FAMILY attribute, the server rejects the request with a 400":
    // a reserved port has its family and parity already
    if (token != null) {
      if (even != EvenPort.Request.NONE || RequestedAddressFamily.read(message) >= 0
        || AdditionalAddressFamily.read(message) >= 0) {
        responder.error(request, StunError.BAD_REQUEST);
        return null;
      }
      return new Wanted(even, token, lifetime, null, null, null, AttributeType.ADDRESS_ERROR_CODE);
    }
    AllocateFamilies chosen = AllocateFamilies.choose(message, families, even);
    if (chosen.refusal() != null) {
      responder.error(request, chosen.refusal());
      return null;
    }
    return new Wanted(even, null, lifetime, chosen.primary(), chosen.additional(), chosen.additionalError(),
      chosen.addressErrorType());
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
      bindRelays(allocation, auth, wanted, reserved);
    } else {
      if (reserved >= 0) {
        services.ports().release(reserved);
      }
      events.quotaReached();
      refuse(allocation, auth, StunError.ALLOCATION_QUOTA_REACHED);
    }
  }

  /**
   * Binds the relay socket of the primary family, then, for a dual allocation, the IPv6 one (RFC 8656 section 7.2
   * step 9): no primary socket is a 508; no second one still grants the first, with ADDRESS-ERROR-CODE 508.
   */
  private void bindRelays(Allocation allocation, TurnAuthentication.Auth auth, Wanted wanted, int reserved) {
    bindSocket(allocation, wanted.primary(), wanted.even(), reserved, 1, primary -> {
      if (allocation.closed()) {
        closeAll(wanted, primary, null);
      } else if (primary == null) {
        allocationFailed(allocation, auth);
      } else if (wanted.additional() == null) {
        relaysBound(allocation, auth, wanted, primary, null, wanted.additionalError());
      } else {
        // the second port has the parity asked for too (EVEN-PORT without R; with R there is no dual allocation)
        bindSocket(allocation, wanted.additional(), wanted.even(), -1, 1, second -> relaysBound(allocation, auth,
          wanted, primary, second, second == null ? StunError.INSUFFICIENT_CAPACITY : null));
      }
    });
  }

  /**
   * Takes a port (any, even, an even pair, or {@code reserved}) and binds a relay socket of {@code side}'s family;
   * tries other ports a few times when one is held by another process. {@code done} gets the socket, or null.
   */
  private void bindSocket(Allocation allocation, RelayFamilies.Side side, EvenPort.Request even, int reserved,
                          int attempt, Consumer<BoundRelay> done) {
    int port = reserved >= 0 ? reserved
      : even == EvenPort.Request.EVEN_AND_RESERVE_NEXT ? services.ports().acquireEvenPair()
      : services.ports().acquire(even == EvenPort.Request.EVEN);
    if (port < 0 || attempt > MAX_BIND_ATTEMPTS) {
      if (port >= 0) {
        releasePorts(port, even);
      }
      done.accept(null);
      return;
    }
    DatagramChannel relay = channels.newChannel(side.bind(), dataPath.peerHandler(allocation), false);
    channels.register(relay, new InetSocketAddress(side.bind(), port)).addListener(f -> {
      if (f.isSuccess()) {
        // the port goes back when the socket closes, whoever closes it (deletion, one family refreshed away)
        relay.closeFuture().addListener(c -> services.ports().release(port));
        done.accept(new BoundRelay(relay, port, new InetSocketAddress(side.advertised(), port)));
        return;
      }
      // a port held by another process: another port, unless the allocation is gone or its port was reserved
      releasePorts(port, even);
      if (allocation.closed() || reserved >= 0) {
        done.accept(null);
      } else {
        bindSocket(allocation, side, even, -1, attempt + 1, done);
      }
    });
  }

  /** Closes what was bound for an allocation deleted meanwhile (the relay is stopping), with a held pair port. */
  private void closeAll(Wanted wanted, BoundRelay primary, BoundRelay second) {
    if (primary != null) {
      if (wanted.even() == EvenPort.Request.EVEN_AND_RESERVE_NEXT) {
        services.ports().release(primary.port() + 1);
      }
      primary.channel().close();
    }
    if (second != null) {
      second.channel().close();
    }
  }

  /** The relay socket(s) are bound: the allocation goes live and the Allocate is answered. */
  private void relaysBound(Allocation allocation, TurnAuthentication.Auth auth, Wanted wanted, BoundRelay primary,
                           BoundRelay second, StunError additionalError) {
    if (allocation.closed()) {
      closeAll(wanted, primary, second);
      return;
    }
    Long reservation = null;
    if (wanted.even() == EvenPort.Request.EVEN_AND_RESERVE_NEXT) {
      // the held port counts against the owner's quota until it is taken or lapses
      reservation = services.reservations().reserve(primary.port() + 1, allocation.owner(),
        services.nanoClock().getAsLong(), wanted.primary().family());
      if (reservation == null) {
        services.ports().release(primary.port() + 1);
      }
    }
    // both in this one event-loop task: nobody sees a dual allocation with one family yet
    allocation.relayBound(primary.channel(), primary.relayed());
    if (second != null) {
      allocation.relayBound(second.channel(), second.relayed());
    }
    allocation.expiresIn(wanted.lifetimeSeconds(), services.nanoClock().getAsLong());
    answerAllocated(allocation, auth, wanted, reservation, additionalError);
  }

  /**
   * The success response (RFC 8656 section 7.2): one XOR-RELAYED-ADDRESS per family (IPv4 first), LIFETIME,
   * XOR-MAPPED-ADDRESS, RESERVATION-TOKEN when a port is held, and ADDRESS-ERROR-CODE for an additional family that
   * was asked for and not granted.
   */
  private void answerAllocated(Allocation allocation, TurnAuthentication.Auth auth, Wanted wanted, Long reservation,
                               StunError additionalError) {
    ByteBuf out = responder.buffer(256);
    MessageWriter writer = MessageWriter.start(out, Method.ALLOCATE, MessageClass.SUCCESS,
      allocation.transactionId());
    for (boolean ipv6 : new boolean[] {false, true}) {
      if (allocation.relayedAddress(ipv6) != null) {
        XorAddress.write(writer, AttributeType.XOR_RELAYED_ADDRESS, allocation.relayedAddress(ipv6));
      }
    }
    Lifetime.write(writer, wanted.lifetimeSeconds());
    XorAddress.write(writer, AttributeType.XOR_MAPPED_ADDRESS, allocation.fiveTuple().client());
    if (reservation != null) {
      ReservationToken.write(writer, reservation);
    }
    if (additionalError != null) {
      AddressErrorCode.write(writer, wanted.addressErrorType(), XorAddress.FAMILY_IPV6, additionalError);
    }
    responder.sign(writer, auth);
    // kept to answer a retransmitted Allocate with the same bytes
    allocation.successResponse(ByteBufUtil.getBytes(out));
    services.usage().allocationLive(allocation, context);
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

  /**
   * RFC 8656 section 8.2: a REQUESTED-ADDRESS-FAMILY that "does not match the address family of the allocation" is
   * 443; LIFETIME 0 deletes — with REQUESTED-ADDRESS-FAMILY on a dual allocation, only that family's relayed address
   * (section 8.1: the client names the family it refreshes), the other lives on; any other lifetime refreshes
   * (computed as in section 7.2, capped by the credential's refresh deadline). The families of a dual allocation
   * share one lifetime (section 7.2 gives an allocation one time-to-expiry), so refreshing one refreshes both.
   */
  void refresh(TurnRequest request) {
    Allocation allocation = allocationFor(request);
    if (allocation == null) {
      return;
    }
    int family = RequestedAddressFamily.read(request.message());
    if (family >= 0 && !holdsFamily(allocation, family)) {
      responder.error(request, StunError.PEER_ADDRESS_FAMILY_MISMATCH);
      return;
    }
    long requested = Lifetime.read(request.message());
    long granted;
    if (requested == 0) {
      deleteFamilyOrAll(allocation, family);
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

  private static boolean holdsFamily(Allocation allocation, int family) {
    return family == XorAddress.FAMILY_IPV4 ? allocation.relayedAddress(false) != null
      : family == XorAddress.FAMILY_IPV6 && allocation.relayedAddress(true) != null;
  }

  /** LIFETIME 0: one family of a dual allocation when the Refresh names it, else the whole allocation. */
  private void deleteFamilyOrAll(Allocation allocation, int family) {
    if (family >= 0 && allocation.dual()) {
      allocation.dropFamily(family == XorAddress.FAMILY_IPV6);
    } else {
      delete(allocation, RelayEvents.DeleteReason.REFRESH);
    }
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
        services.usage().allocationEnded(allocation);
        events.allocationDeleted(allocation, reason);
      }
    }
  }
}
