package io.switchboard.signaling.presence;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What this node holds for sessions in their grace period, for the gauges; any thread. */
public final class GraceStats {

  private final AtomicInteger buffers = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  void opened() {
    buffers.incrementAndGet();
  }

  void closed() {
    buffers.decrementAndGet();
  }

  void buffered(int size) {
    bytes.addAndGet(size);
  }

  void released(int size) {
    bytes.addAndGet(-size);
  }

  /** Grace buffers on this node: its own sessions in their grace period and other nodes' lost ones. */
  public int buffers() {
    return buffers.get();
  }

  /** Bytes of frames they hold (UTF-8). */
  public long bytes() {
    return bytes.get();
  }
}
