package io.switchboard.signaling.room;

import java.util.List;

/** A way to several sessions at once (another node's presence address), used by {@link Fanout}. */
public interface FanoutCarrier {

  /** Delivers {@code frame} to each of {@code endpoints}, which all joined a fanout through this carrier. */
  void carry(String frame, List<SessionEndpoint> endpoints);
}
