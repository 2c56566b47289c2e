package io.switchboard.signaling.room;

import java.util.ArrayList;
import java.util.List;

/**
 * One broadcast frame on its way to the receivers that share a carrier: the endpoints of the sessions another
 * node holds join it, and {@link #send} hands each carrier its receivers at once, so a broadcast costs one
 * message per node instead of one per remote receiver. Used on the sender's event loop, for one frame only;
 * nothing is allocated until the first endpoint joins.
 */
public final class Fanout {

  private final String frame;
  /** The carriers in order of first use, and the endpoints that joined each (same index). */
  private List<FanoutCarrier> carriers;
  private List<List<SessionEndpoint>> receivers;

  public Fanout(String frame) {
    this.frame = frame;
  }

  /** {@code endpoint} is reached through {@code carrier}: it gets the frame when the broadcast is sent. */
  public void join(FanoutCarrier carrier, SessionEndpoint endpoint) {
    if (carriers == null) {
      carriers = new ArrayList<>(2);
      receivers = new ArrayList<>(2);
    }
    int index = carriers.indexOf(carrier); // a few nodes at most: a scan beats hashing
    if (index < 0) {
      carriers.add(carrier);
      receivers.add(new ArrayList<>());
      index = carriers.size() - 1;
    }
    receivers.get(index).add(endpoint);
  }

  /** Sends the frame through every carrier that endpoints joined, once each. */
  public void send() {
    if (carriers == null) {
      return;
    }
    for (int i = 0; i < carriers.size(); i++) {
      carriers.get(i).carry(frame, receivers.get(i));
    }
  }
}
