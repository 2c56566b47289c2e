package io.switchboard.signaling.http;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.ice.IceServers;
import io.switchboard.metrics.HttpLimitMetrics;
import io.switchboard.signaling.session.SessionServices;
import io.switchboard.tls.PemFileWatcher;

/**
 * What the edge verticles of one node share.
 *
 * @param tls the certificate the HTTP port serves and its renewals; null when {@code http.tls} is not set
 */
public record EdgeServices(SwitchboardConfig config, NodeState state, SessionServices sessions,
                           IceServers iceServers, ConnectionLimits connectionLimits,
                           HttpLimitMetrics httpLimitMetrics, PemFileWatcher tls) {
}
