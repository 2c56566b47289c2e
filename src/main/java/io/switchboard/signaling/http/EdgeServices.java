package io.switchboard.signaling.http;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.ice.IceServers;
import io.switchboard.metrics.HttpLimitMetrics;
import io.switchboard.signaling.session.SessionServices;

/** What the edge verticles of one node share. */
public record EdgeServices(SwitchboardConfig config, NodeState state, SessionServices sessions,
                           IceServers iceServers, ConnectionLimits connectionLimits,
                           HttpLimitMetrics httpLimitMetrics) {
}
