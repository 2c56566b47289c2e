package io.switchboard.signaling.session;

import io.switchboard.signaling.session.RateLimiter.Verdict;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.switchboard.signaling.session.RateLimiter.Verdict.ABUSE;
import static io.switchboard.signaling.session.RateLimiter.Verdict.ACCEPT;
import static io.switchboard.signaling.session.RateLimiter.Verdict.DROP;
import static io.switchboard.signaling.session.RateLimiter.Verdict.DROP_AND_WARN;
import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("RateLimiter: token bucket, one warning a second, sustained abuse")
class RateLimiterTest {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;
  /** An arbitrary start, on a second boundary so that "which second" is easy to read below. */
  private static final long T0 = 1_000 * SECOND;
  /** A byte rate and burst that never bind. */
  private static final long UNBOUND = Long.MAX_VALUE / 4;

  /** Frames only: a byte budget that never binds. */
  private static RateLimiter frameLimiter(int perSecond, int burst, int abuseSeconds) {
    return frameLimiter(perSecond, burst, abuseSeconds, T0);
  }

  private static RateLimiter frameLimiter(int perSecond, int burst, int abuseSeconds, long start) {
    return new RateLimiter(new RateLimiter.Rates(perSecond, burst, UNBOUND, UNBOUND, abuseSeconds), start);
  }

  private static List<Verdict> frames(RateLimiter limiter, long at, int count) {
    List<Verdict> verdicts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      verdicts.add(limiter.onFrame(at));
    }
    return verdicts;
  }

  private static int count(List<Verdict> verdicts, Verdict kind) {
    return (int) verdicts.stream().filter(v -> v == kind).count();
  }

  @Test
  @DisplayName("a burst of exactly `burst` frames is accepted at once; the next one is dropped with a warning")
  void burst() {
    RateLimiter limiter = frameLimiter(50, 200, 5);
    List<Verdict> verdicts = frames(limiter, T0, 200);
    assertEquals(200, count(verdicts, ACCEPT));
    assertEquals(DROP_AND_WARN, limiter.onFrame(T0));
  }

  @Test
  @DisplayName("after the burst, frames are accepted at the configured rate")
  void steadyRate() {
    RateLimiter limiter = frameLimiter(50, 200, 5);
    frames(limiter, T0, 200);
    // 50 frames/s = one token every 20 ms
    assertEquals(DROP_AND_WARN, limiter.onFrame(T0 + 10 * MS), "half a token is not a token");
    assertEquals(ACCEPT, limiter.onFrame(T0 + 21 * MS));
    assertEquals(DROP, limiter.onFrame(T0 + 22 * MS));
    assertEquals(ACCEPT, limiter.onFrame(T0 + 42 * MS));
  }

  @Test
  @DisplayName("over a long run at twice the rate, about the rate gets through")
  void sustainedThroughput() {
    RateLimiter limiter = frameLimiter(50, 200, 1_000);
    frames(limiter, T0, 200);
    int accepted = 0;
    for (int i = 1; i <= 1_000; i++) { // 100 frames/s for 10 s
      if (limiter.onFrame(T0 + i * 10 * MS) == ACCEPT) {
        accepted++;
      }
    }
    assertEquals(500.0, accepted, 2.0, "accepted frames in 10 s at 50/s");
  }

  @Test
  @DisplayName("tokens refill over time but never beyond the burst")
  void refillCappedAtBurst() {
    RateLimiter limiter = frameLimiter(50, 200, 5);
    frames(limiter, T0, 200);
    long later = T0 + 100 * SECOND;
    assertEquals(200, count(frames(limiter, later, 200), ACCEPT));
    assertEquals(DROP_AND_WARN, limiter.onFrame(later));
  }

  @Test
  @DisplayName("a full bucket at creation: the burst is available immediately")
  void startsFull() {
    RateLimiter limiter = frameLimiter(1, 3, 5);
    assertEquals(List.of(ACCEPT, ACCEPT, ACCEPT, DROP_AND_WARN), frames(limiter, T0, 4));
  }

  @Test
  @DisplayName("drops warn once per second, then drop silently; a new second warns again")
  void warnOncePerSecond() {
    RateLimiter limiter = frameLimiter(1, 1, 100);
    assertEquals(List.of(ACCEPT, DROP_AND_WARN, DROP, DROP), frames(limiter, T0 + 100 * MS, 4));
    assertEquals(DROP, limiter.onFrame(T0 + 400 * MS));
    assertEquals(DROP, limiter.onFrame(T0 + 999 * MS));
    // next second: the bucket refilled (1/s) exactly enough for one frame
    assertEquals(List.of(ACCEPT, DROP_AND_WARN, DROP), frames(limiter, T0 + SECOND + 200 * MS, 3));
  }

  /** Rate 2/s, burst 1: each call sends three frames half a second into second {@code s}: accept, then two over. */
  private static List<Verdict> overTheRateIn(RateLimiter limiter, int s) {
    return frames(limiter, T0 + s * SECOND + 500 * MS, 3);
  }

  @Test
  @DisplayName("drops in abuseSeconds consecutive seconds give ABUSE, not before")
  void abuseAfterConsecutiveSeconds() {
    RateLimiter limiter = frameLimiter(2, 1, 3);
    assertEquals(List.of(ACCEPT, DROP_AND_WARN, DROP), overTheRateIn(limiter, 0));
    assertEquals(List.of(ACCEPT, DROP_AND_WARN, DROP), overTheRateIn(limiter, 1));
    assertEquals(List.of(ACCEPT, ABUSE, DROP), overTheRateIn(limiter, 2));
  }

  @Test
  @DisplayName("with the default of 5, four seconds of drops are tolerated and the fifth is abuse")
  void defaultAbuseSeconds() {
    RateLimiter limiter = frameLimiter(2, 1, 5);
    for (int s = 0; s < 4; s++) {
      assertEquals(DROP_AND_WARN, overTheRateIn(limiter, s).get(1), "second " + s);
    }
    assertEquals(ABUSE, overTheRateIn(limiter, 4).get(1));
  }

  @Test
  @DisplayName("a second without drops (nothing sent) resets the count")
  void quietSecondResets() {
    RateLimiter limiter = frameLimiter(2, 1, 3);
    overTheRateIn(limiter, 0);
    overTheRateIn(limiter, 1);
    // second 2: nothing at all
    assertEquals(DROP_AND_WARN, overTheRateIn(limiter, 3).get(1));
    assertEquals(DROP_AND_WARN, overTheRateIn(limiter, 4).get(1));
    assertEquals(ABUSE, overTheRateIn(limiter, 5).get(1));
  }

  @Test
  @DisplayName("a second with frames but no drops also resets the count")
  void politeSecondResets() {
    RateLimiter limiter = frameLimiter(2, 1, 3);
    overTheRateIn(limiter, 0);
    overTheRateIn(limiter, 1);
    assertEquals(List.of(ACCEPT), frames(limiter, T0 + 2 * SECOND + 500 * MS, 1));
    assertEquals(DROP_AND_WARN, overTheRateIn(limiter, 3).get(1));
    assertEquals(DROP_AND_WARN, overTheRateIn(limiter, 4).get(1));
    assertEquals(ABUSE, overTheRateIn(limiter, 5).get(1));
  }

  @Test
  @DisplayName("seconds need not be aligned with the start time")
  void unalignedStart() {
    long start = 123_456_789_012L;
    RateLimiter limiter = frameLimiter(2, 1, 2, start);
    long secondStart = (start / SECOND + 1) * SECOND;
    assertEquals(List.of(ACCEPT, DROP_AND_WARN), frames(limiter, secondStart + 600 * MS, 2));
    assertEquals(List.of(ACCEPT, ABUSE), frames(limiter, secondStart + SECOND + 600 * MS, 2));
  }

  @Test
  @DisplayName("System.nanoTime() may be negative: seconds around zero are still distinct seconds")
  void negativeNanoTime() {
    long start = -2 * SECOND;
    RateLimiter limiter = frameLimiter(2, 1, 3, start);
    // three consecutive wall seconds, each with a drop: -1.5 s, -0.5 s, +0.5 s
    assertEquals(List.of(ACCEPT, DROP_AND_WARN), frames(limiter, -1500 * MS, 2));
    assertEquals(List.of(ACCEPT, DROP_AND_WARN), frames(limiter, -500 * MS, 2));
    assertEquals(List.of(ACCEPT, ABUSE), frames(limiter, 500 * MS, 2));
  }

  @Test
  @DisplayName("bytes: a burst of bytes passes, then the rate; a cost above the burst never passes")
  void bytes() {
    RateLimiter limiter = new RateLimiter(new RateLimiter.Rates(1_000, 1_000, 10_000, 20_000, 5), T0);
    assertEquals(ACCEPT, limiter.onBytes(15_000, T0));
    assertEquals(DROP_AND_WARN, limiter.onBytes(10_000, T0), "5,000 left");
    assertEquals(ACCEPT, limiter.onBytes(5_000, T0));
    assertEquals(ACCEPT, limiter.onBytes(10_000, T0 + SECOND), "refilled at 10,000 bytes/s");
    assertEquals(DROP_AND_WARN, limiter.onBytes(20_001, T0 + 10 * SECOND),
      "more than the burst, however long one waits");
    assertEquals(2, limiter.droppedFrames());
    assertEquals(30_001, limiter.droppedBytes());
  }

  @Test
  @DisplayName("frames and bytes share the abuse rule: drops of either kind in consecutive seconds end it")
  void sharedAbuse() {
    RateLimiter limiter = new RateLimiter(new RateLimiter.Rates(1, 1, 100, 100, 3), T0);
    limiter.onFrame(T0);
    assertEquals(DROP_AND_WARN, limiter.onFrame(T0 + 10 * MS));
    assertEquals(DROP_AND_WARN, limiter.onBytes(1_000, T0 + SECOND));
    assertEquals(ACCEPT, limiter.onFrame(T0 + 2 * SECOND + 10 * MS));
    assertEquals(ABUSE, limiter.onFrame(T0 + 2 * SECOND + 20 * MS), "a third second in a row with a drop");
  }

  @Test
  @DisplayName("rested once both buckets are full again")
  void rested() {
    RateLimiter limiter = new RateLimiter(new RateLimiter.Rates(10, 10, 100, 100, 5), T0);
    assertEquals(true, limiter.rested(T0));
    limiter.onFrame(T0);
    limiter.onBytes(50, T0);
    assertEquals(false, limiter.rested(T0 + 99 * MS));
    assertEquals(true, limiter.rested(T0 + SECOND));
  }
}
