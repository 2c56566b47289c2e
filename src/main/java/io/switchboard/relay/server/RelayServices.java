package io.switchboard.relay.server;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.relay.policy.Authenticator;
import io.switchboard.relay.policy.ClusterQuota;
import io.switchboard.relay.policy.CountingQuota;
import io.switchboard.relay.policy.IpRangePeerPolicy;
import io.switchboard.relay.policy.PeerPolicy;
import io.switchboard.relay.policy.QuotaPolicy;
import io.switchboard.relay.policy.RangePortAllocator;
import io.switchboard.relay.policy.RelayPortAllocator;
import io.switchboard.relay.policy.RevokedCredentials;
import io.switchboard.relay.policy.ServiceEndpoints;
import io.switchboard.relay.policy.TurnRestAuthenticator;
import io.switchboard.relay.usage.LocalCredentialRooms;
import io.switchboard.relay.usage.NodeTurnUsage;

import java.time.Clock;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What every relay verticle instance of a node shares: configuration, the pluggable policies (authentication,
 * peer filter, quota, relay ports), the nonce key and the event hooks. The policies are thread-safe; everything
 * per allocation lives in one instance.
 *
 * @param clock     wall-clock time: credential expiry, nonces, revocations
 * @param nanoClock monotonic time in nanoseconds: lifetimes of allocations, permissions and channels, bandwidth
 * @param usage     the node's per-room TURN usage, which allocations report to when they go live and end
 */
public record RelayServices(SwitchboardConfig.Relay config, Authenticator authenticator, PeerPolicy peerPolicy,
                            QuotaPolicy quota, RelayPortAllocator ports, NonceService nonces, RelayEvents events,
                            Clock clock, LongSupplier nanoClock, PortReservations reservations,
                            RevokedCredentials revocations, ClusterQuota clusterQuota, NodeTurnUsage usage) {

  /** ... accounting TURN usage for the rooms of this node's credentials only (tests of the relay alone). */
  public RelayServices(SwitchboardConfig.Relay config, Authenticator authenticator, PeerPolicy peerPolicy,
                       QuotaPolicy quota, RelayPortAllocator ports, NonceService nonces, RelayEvents events,
                       Clock clock, LongSupplier nanoClock, ClusterQuota clusterQuota) {
    this(config, authenticator, peerPolicy, quota, ports, nonces, events, clock, nanoClock, clusterQuota,
      new NodeTurnUsage(new LocalCredentialRooms(() -> clock.millis() / 1000), nanoClock));
  }

  public RelayServices(SwitchboardConfig.Relay config, Authenticator authenticator, PeerPolicy peerPolicy,
                       QuotaPolicy quota, RelayPortAllocator ports, NonceService nonces, RelayEvents events,
                       Clock clock, LongSupplier nanoClock, ClusterQuota clusterQuota, NodeTurnUsage usage) {
    this(config, authenticator, peerPolicy, quota, ports, nonces, events, clock, nanoClock,
      new PortReservations(ports, quota), new RevokedCredentials(), clusterQuota, usage);
  }

  /** The name this server gives in SOFTWARE. */
  public static final String SOFTWARE = "Switchboard";

  /**
   * The default policies for {@code config}, with REST credentials signed by any of {@code turnSecrets}, never
   * relaying to {@code serviceEndpoints}, counting allocations per owner in {@code clusterQuota} as well, and
   * per-room usage in {@code usage}, the node's.
   */
  public static RelayServices defaults(SwitchboardConfig.Relay config, List<String> turnSecrets, RelayEvents events,
                                       Clock clock, LongSupplier nanoClock, ServiceEndpoints serviceEndpoints,
                                       ClusterQuota clusterQuota, NodeTurnUsage usage) {
    return new RelayServices(config,
      new TurnRestAuthenticator(turnSecrets, config.staticUsers()),
      new IpRangePeerPolicy(config.allowedPeers(), config.deniedPeers(), serviceEndpoints),
      new CountingQuota(config.maxAllocations(), config.maxAllocationsPerUser()),
      new RangePortAllocator(config.minPort(), config.maxPort()),
      new NonceService(config.nonceLifetimeSeconds(), () -> clock.millis() / 1000),
      events, clock, nanoClock, clusterQuota, usage);
  }

  long epochSeconds() {
    return clock.millis() / 1000;
  }
}
