package io.switchboard.webhook;

import java.util.function.LongConsumer;

/** Counts occurrences and logs them at most once per interval, so an outage writes a line a minute, not a flood. */
final class ThrottledLog {

  private final long intervalMillis;
  private long lastLogged = Long.MIN_VALUE;
  private long unlogged;

  ThrottledLog(long intervalMillis) {
    this.intervalMillis = intervalMillis;
  }

  /** Adds {@code n}; when the interval has passed, hands the count since the last line to {@code log}. */
  void count(long n, long nowMillis, LongConsumer log) {
    unlogged += n;
    if (lastLogged == Long.MIN_VALUE || nowMillis - lastLogged >= intervalMillis) {
      log.accept(unlogged);
      unlogged = 0;
      lastLogged = nowMillis;
    }
  }
}
