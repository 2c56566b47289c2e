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

  private final Bucket frames;
  private final Bucket bytes;
  private final int abuseSeconds;
  private long lastDropSecond = Long.MIN_VALUE;
  private int consecutiveDropSeconds;
  private long droppedFrames;
  private long droppedBytes;
  private long lastDropNanos;

  public RateLimiter(int framesPerSecond, int framesBurst, long bytesPerSecond, long bytesBurst, int abuseSeconds,
                     long nowNanos) {
    this.frames = new Bucket(framesPerSecond, framesBurst, nowNanos);
    this.bytes = new Bucket(bytesPerSecond, bytesBurst, nowNanos);
    this.abuseSeconds = abuseSeconds;
  }

  /** One incoming message, counted before it is even parsed. */
  public synchronized Verdict onFrame(long nowNanos) {
    if (frames.take(1, nowNanos)) {
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
    if (bytes.take(cost, nowNanos)) {
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
    return consecutiveDropSeconds >= abuseSeconds ? Verdict.ABUSE : Verdict.DROP_AND_WARN;
  }

  /** Both buckets are full again: forgetting this participant now loses nothing. */
  public synchronized boolean rested(long nowNanos) {
    return frames.full(nowNanos) && bytes.full(nowNanos);
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

  /** A token bucket; costs larger than the burst never pass. */
  private static final class Bucket {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long lastRefill;

    Bucket(double perSecond, double burst, long nowNanos) {
      this.perNano = perSecond / SECOND;
      this.burst = burst;
      this.tokens = burst;
      this.lastRefill = nowNanos;
    }

    boolean take(double cost, long nowNanos) {
      refill(nowNanos);
      if (tokens >= cost) {
        tokens -= cost;
        return true;
      }
      return false;
    }

    boolean full(long nowNanos) {
      refill(nowNanos);
      return tokens >= burst;
    }

    private void refill(long nowNanos) {
      tokens = Math.min(burst, tokens + (nowNanos - lastRefill) * perNano);
      lastRefill = nowNanos;
    }
  }
}
