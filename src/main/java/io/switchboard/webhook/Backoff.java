package io.switchboard.webhook;

/**
 * Delays between attempts: {@code minMillis} after the first failure, doubling after each further one, never more
 * than {@code maxMillis}; each delay is drawn from its upper half, so receivers coming back from an outage are
 * not hit by every node's retries at the same instant.
 */
public record Backoff(long minMillis, long maxMillis) {

  /** Doubling stops here: 2^30 times any minimum is past every maximum the configuration allows. */
  private static final int MAX_SHIFT = 30;

  /**
   * @param failures attempts that failed so far (at least 1)
   * @param random a number in [0, 1)
   */
  public long delay(int failures, double random) {
    long ceiling = Math.min(maxMillis, minMillis << Math.min(MAX_SHIFT, Math.max(0, failures - 1)));
    long floor = Math.max(minMillis, ceiling / 2);
    return floor + (long) ((ceiling - floor) * random);
  }
}
