package io.switchboard.cluster;

import io.vertx.core.Handler;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The clustered node's handler for exceptions no Vert.x handler took (what Vert.x otherwise logs as SEVERE
 * "Unhandled exception" with a stack trace).
 *
 * <p>One kind is known and expected: in Vert.x 5.1 the promise of an event-bus send answers {@code false} to
 * {@code tryFail} ({@code SendContext}), so every message whose write to another member fails (the member was
 * killed and the cluster has not noticed yet) surfaces as {@code IllegalStateException: Promise already completed}
 * thrown from {@code OutboundConnection}. The message is lost either way, as docs/cluster.md says of frames sent
 * to a node that dies. Those are counted and summed up in one WARNING line at most every
 * {@link #SUMMARY_INTERVAL_SECONDS} seconds instead of a stack trace per message. Every other exception is logged
 * as Vert.x would, at SEVERE with its stack trace.
 */
public final class UnwrittenEventBusMessages implements Handler<Throwable> {

  static final long SUMMARY_INTERVAL_SECONDS = 10;
  private static final System.Logger LOG = System.getLogger(UnwrittenEventBusMessages.class.getName());
  private static final String OUTBOUND_CONNECTION = "io.vertx.core.eventbus.impl.clustered.OutboundConnection";

  private final LongSupplier nanoTime;
  private final AtomicLong unwritten = new AtomicLong();
  private final AtomicLong reported = new AtomicLong();
  private final AtomicLong lastSummaryAt;

  public UnwrittenEventBusMessages() {
    this(System::nanoTime);
  }

  UnwrittenEventBusMessages(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.lastSummaryAt = new AtomicLong(nanoTime.getAsLong() - TimeUnit.SECONDS.toNanos(SUMMARY_INTERVAL_SECONDS));
  }

  @Override
  public void handle(Throwable t) {
    if (!isUnwrittenMessage(t)) {
      LOG.log(System.Logger.Level.ERROR, "Unhandled exception", t);
      return;
    }
    long total = unwritten.incrementAndGet();
    long now = nanoTime.getAsLong();
    long last = lastSummaryAt.get();
    if (now - last >= TimeUnit.SECONDS.toNanos(SUMMARY_INTERVAL_SECONDS) && lastSummaryAt.compareAndSet(last, now)) {
      long before = reported.getAndSet(total);
      LOG.log(System.Logger.Level.WARNING, "{0} event-bus message(s) could not be written to another member "
        + "since the last such line ({1} in all): the member is most likely gone and the cluster has not noticed "
        + "yet", total - before, total);
    }
  }

  /** Messages whose write to another member failed, since the node started. */
  public long unwritten() {
    return unwritten.get();
  }

  static boolean isUnwrittenMessage(Throwable t) {
    if (!(t instanceof IllegalStateException) || !"Promise already completed".equals(t.getMessage())) {
      return false;
    }
    for (StackTraceElement frame : t.getStackTrace()) {
      if (OUTBOUND_CONNECTION.equals(frame.getClassName())) {
        return true;
      }
    }
    return false;
  }
}
