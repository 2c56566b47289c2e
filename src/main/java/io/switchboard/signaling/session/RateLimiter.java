package io.switchboard.signaling.session;

/**
 * Token buckets for one participant's incoming traffic, frames and bytes, plus the "sustained abuse" rule: a
 * participant that has something dropped in {@code abuseSeconds} consecutive seconds is to be closed. Shared by
 * the sessions of one identity in one room on this node ({@link ParticipantLimits}), so a reconnect continues
 * the buckets instead of refilling them; the lock is uncontended but for the moment a session replaces another.
 * No allocation per call.
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

  /**
   * The configured rates, one object per node shared by every limiter: an idle session's limiter holds only its
   * buckets' levels.
   */
  public static final class Rates {
    private final double framesPerNano;
    private final double framesBurst;
    private final double bytesPerNano;
    private final double bytesBurst;
    private final int abuseSeconds;

    public Rates(int framesPerSecond, int framesBurst, long bytesPerSecond, long bytesBurst, int abuseSeconds) {
      this.framesPerNano = (double) framesPerSecond / SECOND;
      this.framesBurst = framesBurst;
      this.bytesPerNano = (double) bytesPerSecond / SECOND;
      this.bytesBurst = bytesBurst;
      this.abuseSeconds = abuseSeconds;
    }
  }

  private final Rates rates;
  // Two token buckets (costs larger than the burst never pass), as plain fields rather than two objects.
  private double frameTokens;
  private long frameRefill;
  private double byteTokens;
  private long byteRefill;
  private long lastDropSecond = Long.MIN_VALUE;
  private int consecutiveDropSeconds;
  private long droppedFrames;
  private long droppedBytes;
  private long lastDropNanos;

  public RateLimiter(Rates rates, long nowNanos) {
    this.rates = rates;
    this.frameTokens = rates.framesBurst;
    this.frameRefill = nowNanos;
    this.byteTokens = rates.bytesBurst;
    this.byteRefill = nowNanos;
  }

  /** One incoming message, counted before it is even parsed. */
  public synchronized Verdict onFrame(long nowNanos) {
    refillFrames(nowNanos);
    if (frameTokens >= 1) {
      frameTokens -= 1;
      return Verdict.ACCEPT;
    }
    droppedFrames++;
    return dropped(nowNanos);
  }

  /**
   * {@code cost} bytes about to be relayed: a directed frame's length, or a broadcast's length times its
   * receivers (what the server writes for it).
   */
  public synchronized Verdict onBytes(long cost, long nowNanos) {
    refillBytes(nowNanos);
    if (byteTokens >= cost) {
      byteTokens -= cost;
      return Verdict.ACCEPT;
    }
    droppedFrames++;
    droppedBytes += cost;
    return dropped(nowNanos);
  }

  private Verdict dropped(long nowNanos) {
    lastDropNanos = nowNanos;
    long second = Math.floorDiv(nowNanos, SECOND);
    if (second == lastDropSecond) {
      return Verdict.DROP;
    }
    consecutiveDropSeconds = second == lastDropSecond + 1 ? consecutiveDropSeconds + 1 : 1;
    lastDropSecond = second;
    return consecutiveDropSeconds >= rates.abuseSeconds ? Verdict.ABUSE : Verdict.DROP_AND_WARN;
  }

  /** Both buckets are full again: forgetting this participant now loses nothing. */
  public synchronized boolean rested(long nowNanos) {
    refillFrames(nowNanos);
    refillBytes(nowNanos);
    return frameTokens >= rates.framesBurst && byteTokens >= rates.bytesBurst;
  }

  /** Frames dropped so far (by either bucket), for the admin view. */
  public synchronized long droppedFrames() {
    return droppedFrames;
  }

  public synchronized long droppedBytes() {
    return droppedBytes;
  }

  /** When something was last dropped (on the clock the calls gave); meaningful once {@link #droppedFrames} > 0. */
  public synchronized long lastDropNanos() {
    return lastDropNanos;
  }

  private void refillFrames(long nowNanos) {
    frameTokens = Math.min(rates.framesBurst, frameTokens + (nowNanos - frameRefill) * rates.framesPerNano);
    frameRefill = nowNanos;
  }

  private void refillBytes(long nowNanos) {
    byteTokens = Math.min(rates.bytesBurst, byteTokens + (nowNanos - byteRefill) * rates.bytesPerNano);
    byteRefill = nowNanos;
  }
}
