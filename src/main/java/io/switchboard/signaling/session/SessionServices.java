package io.switchboard.signaling.session;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.ice.TurnRevocations;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.signaling.room.RoomDirectory;

import java.util.function.LongSupplier;

/**
 * What every session of a node shares.
 *
 * @param nanoClock the monotonic clock, in nanoseconds, that sessions measure their rate, liveness and relay time
 *                  with
 */
public record SessionServices(String nodeId, SwitchboardConfig.Limits limits, RoomDirectory rooms,
                              SwitchboardMetrics metrics, TurnRevocations turnRevocations,
                              ParticipantLimits participantLimits, LongSupplier nanoClock) {
}
