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
 */
public record RelayServices(SwitchboardConfig.Relay config, Authenticator authenticator, PeerPolicy peerPolicy,
                            QuotaPolicy quota, RelayPortAllocator ports, NonceService nonces, RelayEvents events,
                            Clock clock, LongSupplier nanoClock, PortReservations reservations,
                            RevokedCredentials revocations, ClusterQuota clusterQuota) {

  public RelayServices(SwitchboardConfig.Relay config, Authenticator authenticator, PeerPolicy peerPolicy,
                       QuotaPolicy quota, RelayPortAllocator ports, NonceService nonces, RelayEvents events,
                       Clock clock, LongSupplier nanoClock, ClusterQuota clusterQuota) {
    this(config, authenticator, peerPolicy, quota, ports, nonces, events, clock, nanoClock,
      new PortReservations(ports, quota), new RevokedCredentials(), clusterQuota);
  }

  /** The name this server gives in SOFTWARE. */
  public static final String SOFTWARE = "Switchboard";

  /**
   * The default policies for {@code config}, with REST credentials signed by any of {@code turnSecrets}, never
   * relaying to {@code serviceEndpoints}, counting allocations per owner in {@code clusterQuota} as well.
   */
  public static RelayServices defaults(SwitchboardConfig.Relay config, List<String> turnSecrets, RelayEvents events,
                                       Clock clock, LongSupplier nanoClock, ServiceEndpoints serviceEndpoints,
                                       ClusterQuota clusterQuota) {
    return new RelayServices(config,
      new TurnRestAuthenticator(turnSecrets, config.staticUsers()),
      new IpRangePeerPolicy(config.allowedPeers(), config.deniedPeers(), serviceEndpoints),
      new CountingQuota(config.maxAllocations(), config.maxAllocationsPerUser()),
      new RangePortAllocator(config.minPort(), config.maxPort()),
      new NonceService(config.nonceLifetimeSeconds(), () -> clock.millis() / 1000),
      events, clock, nanoClock, clusterQuota);
  }

  long epochSeconds() {
    return clock.millis() / 1000;
  }
}
