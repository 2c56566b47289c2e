package io.switchboard.signaling.http;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.ice.IceServers;
import io.switchboard.metrics.HttpLimitMetrics;
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
 */
public record EdgeServices(SwitchboardConfig config, NodeState state, SessionServices sessions,
                           IceServers iceServers, ConnectionLimits connectionLimits,
                           HttpLimitMetrics httpLimitMetrics, PemFileWatcher tls, Path internalHttpSocket) {
}
