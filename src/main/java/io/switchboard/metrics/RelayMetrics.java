package io.switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.ClientTransport;
import io.switchboard.relay.proto.StunError;
import io.switchboard.relay.server.RelayEvents;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The relay's meters, fed by its event hooks. Label values come from closed enums only. Counters are resolved
 * here once, so the per-datagram path only increments.
 */
public final class RelayMetrics implements RelayEvents {

  private final AtomicInteger allocations = new AtomicInteger();
  private final Counter allocationsCreated;
  private final Map<DeleteReason, Counter> allocationsDeleted;
  private final Counter permissionsCreated;
  private final Counter channelsBound;
  private final Counter peersRefused;
  private final Counter quotaReached;
  private final Counter revocations;
  private final Counter challenges;
  private final Map<AuthFailure, Counter> authFailures;
  private final Map<StunError, Counter> errors;
  private final Map<Direction, Counter> packets;
  private final Map<Direction, Counter> bytes;
  private final Map<Drop, Counter> drops;
  /** Indexed by relay instance. */
  private final Counter[] listenerDatagrams;
  /** Open client connections and closures by reason, per stream transport (TCP, TLS). */
  private final Map<ClientTransport, AtomicInteger> streamsOpen = new EnumMap<>(ClientTransport.class);
  private final Map<ClientTransport, Map<StreamClose, Counter>> streamsClosed = new EnumMap<>(ClientTransport.class);

  /** The meters of a node running {@code instances} relay verticles ({@code relay.instances}). */
  public RelayMetrics(MeterRegistry registry, int instances) {
    Gauge.builder("switchboard.turn.allocations.active", allocations, AtomicInteger::get)
      .description("TURN allocations open on this node").register(registry);
    allocationsCreated = Counter.builder("switchboard.turn.allocations.opened")
      .description("TURN allocations created since start").register(registry);
    allocationsDeleted = EnumCounters.register(registry, DeleteReason.class, "switchboard.turn.allocations.closed",
      "reason", EnumCounters::lowerCase, "TURN allocations ended, by reason");
    permissionsCreated = Counter.builder("switchboard.turn.permissions.installed")
      .description("Permissions installed (refreshes not counted)").register(registry);
    channelsBound = Counter.builder("switchboard.turn.channels.bound")
      .description("Channels bound (refreshes not counted)").register(registry);
    peersRefused = Counter.builder("switchboard.turn.peers.refused")
      .description("CreatePermission or ChannelBind refused by the peer policy (403)").register(registry);
    quotaReached = Counter.builder("switchboard.turn.quota.reached")
      .description("Allocate refused by a quota (486)").register(registry);
    revocations = Counter.builder("switchboard.turn.revocations")
      .description("TURN credentials revoked (a kicked or replaced participant's), counted by each relay instance")
      .register(registry);
    challenges = Counter.builder("switchboard.turn.challenges")
      .description("401 challenges to requests without credentials").register(registry);
    authFailures = EnumCounters.register(registry, AuthFailure.class, "switchboard.turn.auth.failures", "reason",
      EnumCounters::lowerCase, "Requests that failed authentication, by reason");
    errors = EnumCounters.register(registry, StunError.class, "switchboard.turn.errors", "code",
      error -> Integer.toString(error.code()), "STUN error answers, by code");
    packets = EnumCounters.register(registry, Direction.class, "switchboard.turn.packets", "direction",
      EnumCounters::lowerCase, "Datagrams relayed");
    bytes = EnumCounters.register(registry, Direction.class, "switchboard.turn.bytes", "direction",
      EnumCounters::lowerCase, "Application bytes relayed (without TURN framing)");
    drops = EnumCounters.register(registry, Drop.class, "switchboard.turn.dropped", "reason",
      EnumCounters::lowerCase, "Datagrams neither relayed nor answered, by reason");
    // not "instance": Prometheus gives every scraped series that label (the target)
    listenerDatagrams = new Counter[instances];
    for (int i = 0; i < instances; i++) {
      listenerDatagrams[i] = Counter.builder("switchboard.turn.listener.datagrams")
        .tag("relay_instance", Integer.toString(i))
        .description("Datagrams read from the listening port, by the relay instance SO_REUSEPORT gave them to")
        .register(registry);
    }
    registerStreams(registry);
  }

  private void registerStreams(MeterRegistry registry) {
    for (ClientTransport transport : ClientTransport.values()) {
      if (!transport.stream()) {
        continue;
      }
      AtomicInteger open = new AtomicInteger();
      streamsOpen.put(transport, open);
      Gauge.builder("switchboard.turn.stream.connections", open, AtomicInteger::get).tag("transport", transport.label())
        .description("TURN client connections open now (TCP, TLS)").register(registry);
      Map<StreamClose, Counter> closed = new EnumMap<>(StreamClose.class);
      for (StreamClose reason : StreamClose.values()) {
        closed.put(reason, Counter.builder("switchboard.turn.stream.closed").tag("transport", transport.label())
          .tag("reason", EnumCounters.lowerCase(reason))
          .description("TURN client connections (TCP, TLS) closed, by reason").register(registry));
      }
      streamsClosed.put(transport, closed);
    }
  }

  @Override
  public void allocationCreated(Allocation allocation) {
    allocations.incrementAndGet();
    allocationsCreated.increment();
  }

  @Override
  public void credentialRevoked() {
    revocations.increment();
  }

  @Override
  public void allocationDeleted(Allocation allocation, DeleteReason reason) {
    allocations.decrementAndGet();
    allocationsDeleted.get(reason).increment();
  }

  @Override
  public void permissionCreated(Allocation allocation, InetAddress peer) {
    permissionsCreated.increment();
  }

  @Override
  public void channelBound(Allocation allocation, int number, InetSocketAddress peer) {
    channelsBound.increment();
  }

  @Override
  public void peerRefused(Allocation allocation, InetAddress peer) {
    peersRefused.increment();
  }

  @Override
  public void quotaReached() {
    quotaReached.increment();
  }

  @Override
  public void challenged() {
    challenges.increment();
  }

  @Override
  public void authFailure(AuthFailure reason, InetSocketAddress client) {
    authFailures.get(reason).increment();
  }

  @Override
  public void errorAnswered(StunError error) {
    errors.get(error).increment();
  }

  @Override
  public void relayed(Direction direction, int length) {
    packets.get(direction).increment();
    bytes.get(direction).increment(length);
  }

  @Override
  public void dropped(Drop reason) {
    drops.get(reason).increment();
  }

  @Override
  public void listenerDatagram(int instance) {
    listenerDatagrams[instance].increment();
  }

  @Override
  public void streamOpened(ClientTransport transport) {
    streamsOpen.get(transport).incrementAndGet();
  }

  @Override
  public void streamClosed(ClientTransport transport, StreamClose reason) {
    streamsOpen.get(transport).decrementAndGet();
    streamsClosed.get(transport).get(reason).increment();
  }

  public int openAllocations() {
    return allocations.get();
  }
}
