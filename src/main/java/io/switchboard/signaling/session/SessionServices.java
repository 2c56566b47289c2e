package io.switchboard.signaling.session;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.ice.TurnRevocations;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.signaling.room.RoomDirectory;

/** What every session of a node shares. */
public record SessionServices(String nodeId, SwitchboardConfig.Limits limits, RoomDirectory rooms,
                              SwitchboardMetrics metrics, TurnRevocations turnRevocations,
                              ParticipantLimits participantLimits) {
}
