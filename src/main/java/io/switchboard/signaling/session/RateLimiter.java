package io.switchboard.signaling.session;

/**
 * Token bucket for one session's incoming frames, plus the "sustained abuse" rule: a session that has frames
 * dropped in {@code abuseSeconds} consecutive seconds is to be closed. Single-threaded (the session's event
 * loop); no allocation per call.
 */
public final class RateLimiter {

  /** What to do with one frame. */
  public enum Verdict {
    /** Within the rate. */
    ACCEPT,
    /** Over the rate: drop it and tell the client (at most once a second). */
    DROP_AND_WARN,
    /** Over the rate: drop it silently; the client was warned this second. */
    DROP,
    /** Over the rate for too long: close the session. */
    ABUSE
  }

  private static final long SECOND = 1_000_000_000L;

  private final double tokensPerNano;
  private final double burst;
  private final int abuseSeconds;
  private double tokens;
  private long lastRefill;
  private long lastDropSecond = Long.MIN_VALUE;
  private int consecutiveDropSeconds;

  public RateLimiter(int framesPerSecond, int burst, int abuseSeconds, long nowNanos) {
    this.tokensPerNano = framesPerSecond / (double) SECOND;
    this.burst = burst;
    this.abuseSeconds = abuseSeconds;
    this.tokens = burst;
    this.lastRefill = nowNanos;
  }

  public Verdict onFrame(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - lastRefill) * tokensPerNano);
    lastRefill = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return Verdict.ACCEPT;
    }
    long second = Math.floorDiv(nowNanos, SECOND);
    if (second == lastDropSecond) {
      return Verdict.DROP;
    }
    consecutiveDropSeconds = second == lastDropSecond + 1 ? consecutiveDropSeconds + 1 : 1;
    lastDropSecond = second;
    return consecutiveDropSeconds >= abuseSeconds ? Verdict.ABUSE : Verdict.DROP_AND_WARN;
  }
}
