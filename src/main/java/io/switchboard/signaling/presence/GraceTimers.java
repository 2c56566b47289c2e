package io.switchboard.signaling.presence;

import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * When grace periods end: one timer per session this node must expire (its own sessions in their grace
 * period; on the oldest member, also those of lost nodes). Presence thread only.
 */
final class GraceTimers {

  private final Vertx vertx;
  private final BiConsumer<String, String> onDue;
  private final Map<String, Long> timers = new HashMap<>();

  /** @param onDue gets the room and the session id when a grace period is due */
  GraceTimers(Vertx vertx, BiConsumer<String, String> onDue) {
    this.vertx = vertx;
    this.onDue = onDue;
  }

  /** Times the end of a session's grace period ({@code untilMillis}, epoch milliseconds); replaces an earlier one. */
  void schedule(String room, String sessionId, long untilMillis) {
    cancel(sessionId);
    long delay = Math.max(1, untilMillis - System.currentTimeMillis());
    timers.put(sessionId, vertx.setTimer(delay, id -> {
      timers.remove(sessionId, id);
      onDue.accept(room, sessionId);
    }));
  }

  void cancel(String sessionId) {
    Long timer = timers.remove(sessionId);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }
}
