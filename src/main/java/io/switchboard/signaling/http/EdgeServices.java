package io.switchboard.signaling.http;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.ice.IceServers;
import io.switchboard.metrics.HttpLimitMetrics;
import io.switchboard.relay.usage.CredentialRooms;
import io.switchboard.relay.usage.TurnUsageQuery;
import io.switchboard.signaling.session.SessionServices;
import io.switchboard.tls.PemFileWatcher;

import java.nio.file.Path;

/**
 * What the edge verticles of one node share.
 *
 * @param tls                the certificate the HTTP port serves and its renewals; null when {@code http.tls} is not
 *                           set
 * @param internalHttpSocket the private Unix socket on which the edge also serves the one-port listener's HTTP
 *                           connections (PROXY header first); null when one-port mode is off
 * @param credentialRooms    where the room of each issued TURN credential is recorded, for the relays' per-room usage
 * @param turnUsage          the per-room TURN usage of the cluster's relays, for the admin API
 */
public record EdgeServices(SwitchboardConfig config, NodeState state, SessionServices sessions,
                           IceServers iceServers, ConnectionLimits connectionLimits,
                           HttpLimitMetrics httpLimitMetrics, PemFileWatcher tls, Path internalHttpSocket,
                           CredentialRooms credentialRooms, TurnUsageQuery turnUsage) {
}
