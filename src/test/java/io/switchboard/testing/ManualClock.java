package io.switchboard.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A monotonic clock in nanoseconds that stands still until the test moves it: give it to
 * {@link TestNode#start(io.vertx.core.json.JsonObject, LongSupplier)} and a rate or bandwidth limit admits exactly
 * what its burst and the time the test let pass allow, however slow the machine.
 */
public final class ManualClock implements LongSupplier {

  /** An arbitrary start on a whole second, so that "the same second" is plain in the tests. */
  private static final long START = Duration.ofSeconds(1_000).toNanos();

  private final AtomicLong nanos = new AtomicLong(START);

  @Override
  public long getAsLong() {
    return nanos.get();
  }

  public void advance(Duration by) {
    nanos.addAndGet(by.toNanos());
  }
}
