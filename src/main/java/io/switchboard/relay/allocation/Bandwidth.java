package io.switchboard.relay.allocation;

/**
 * A byte token bucket for one allocation (both directions together): {@code bitsPerSecond / 8} bytes a second,
 * with one second's worth of burst. Zero bits per second means no cap. Single-threaded, like its allocation.
 */
public final class Bandwidth {

  private final long bytesPerSecond;
  private double tokens;
  private long lastNanos;

  public Bandwidth(long bitsPerSecond, long nowNanos) {
    this.bytesPerSecond = bitsPerSecond / 8;
    this.tokens = bytesPerSecond;
    this.lastNanos = nowNanos;
  }

  /** True when {@code bytes} may pass now (and takes them from the bucket). */
  public boolean tryTake(int bytes, long nowNanos) {
    if (bytesPerSecond == 0) {
      return true;
    }
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(bytesPerSecond, tokens + elapsed * (bytesPerSecond / 1e9));
      lastNanos = nowNanos;
    }
    if (tokens < bytes) {
      return false;
    }
    tokens -= bytes;
    return true;
  }
}
