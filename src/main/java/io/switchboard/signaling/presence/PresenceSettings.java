package io.switchboard.signaling.presence;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.config.SwitchboardConfig.DuplicateIdentity;

/**
 * What presence needs to know of the configuration.
 *
 * @param graceMillis how long a session whose connection is gone waits for a resume; 0: no resume
 */
public record PresenceSettings(String nodeId, int maxParticipantsPerRoom, DuplicateIdentity duplicateIdentity,
                               long graceMillis, int bufferFrames, int bufferBytes) {

  public static PresenceSettings of(String nodeId, SwitchboardConfig config) {
    SwitchboardConfig.Rooms rooms = config.rooms();
    return new PresenceSettings(nodeId, config.limits().maxParticipantsPerRoom(), rooms.duplicateIdentity(),
      rooms.gracePeriodSeconds() * 1000L, rooms.resumeBufferFrames(), rooms.resumeBufferBytes());
  }
}
