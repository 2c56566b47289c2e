package io.switchboard.signaling.http;

import java.util.concurrent.atomic.AtomicReference;

/** Whether the node serves: {@code /health} answers 200 only when {@link Phase#UP}. */
public final class NodeState {

  public enum Phase { STARTING, UP, DRAINING }

  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
  private final long startedAtMillis = System.currentTimeMillis();

  public Phase phase() {
    return phase.get();
  }

  public void set(Phase next) {
    phase.set(next);
  }

  public long startedAtMillis() {
    return startedAtMillis;
  }
}
