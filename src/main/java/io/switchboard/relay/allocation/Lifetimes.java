package io.switchboard.relay.allocation;

import java.time.Duration;

/** The lifetimes and bounds of relay state (RFC 8656 sections 7, 9, 12), named once. */
public final class Lifetimes {

  /** A permission lives 300 s unless refreshed (RFC 8656 section 9). */
  public static final Duration PERMISSION = Duration.ofSeconds(300);
  /** A channel binding lives 600 s unless refreshed (RFC 8656 section 12). */
  public static final Duration CHANNEL = Duration.ofSeconds(600);
  /** How often expired permissions, channels and allocations are swept. */
  public static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);
  /** Permissions one allocation may hold (peer IP addresses); more is refused with 508. */
  public static final int MAX_PERMISSIONS_PER_ALLOCATION = 128;
  /** Channels one allocation may bind; more is refused with 508. */
  public static final int MAX_CHANNELS_PER_ALLOCATION = 128;

  private Lifetimes() {
  }

  /**
   * RFC 8656 section 7.2: the minimum of the requested and the maximum lifetime, but never less than the default.
   * {@code requested} is -1 when the request had no LIFETIME.
   */
  public static long allocationSeconds(long requested, long defaultSeconds, long maxSeconds) {
    if (requested < 0) {
      return defaultSeconds;
    }
    return Math.max(defaultSeconds, Math.min(requested, maxSeconds));
  }
}
