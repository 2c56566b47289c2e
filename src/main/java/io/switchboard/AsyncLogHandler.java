package io.switchboard;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The console handler of a node: {@link #publish} only puts the record in a bounded queue, and one writer thread
 * formats and writes what has queued up, with one flush per batch.
 *
 * <p>JUL's {@code ConsoleHandler} formats, writes and flushes every record on the caller's thread, under a lock
 * both event loops share: a connect's join line and access line cost its event loop two {@code write} calls (9.5 %
 * of the event loops' CPU in a connect storm, docs/performance.md), and a console nobody reads blocks the loop.
 *
 * <p>The writer looks for records itself rather than being woken per record (a wake-up is a futex call and a
 * context switch, which in a connect storm cost more than the writes it spared): every millisecond while lines
 * come, backing off to every 50 ms while none do, so an idle node's writer costs next to nothing.
 *
 * <p>A full queue never blocks a caller: the record is dropped, counted, and the count is written as soon as the
 * writer catches up. {@link #flush} waits (bounded) until what was published before it is written; the shutdown
 * hook calls it last, so the lines of a drain reach the console.
 */
public final class AsyncLogHandler extends Handler {

  /** Records waiting for the writer; at ~200 bytes a line, a few MB at most. */
  static final int CAPACITY = 16_384;
  private static final int BATCH = 512;
  private static final long FLUSH_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long FIRST_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long LONGEST_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final BlockingQueue<LogRecord> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final Writer out;
  /** Records accepted into the queue, and records the writer has finished with (written or failed). */
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  /** Records dropped on a full queue since the writer last reported them. */
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  public AsyncLogHandler(OutputStream stream) {
    this.out = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
    setLevel(Level.INFO);
    this.writer = new Thread(this::writeUntilClosed, "switchboard-log-writer");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void publish(LogRecord record) {
    if (closed || !isLoggable(record)) {
      return;
    }
    if (queue.offer(record)) {
      accepted.incrementAndGet();
    } else {
      dropped.incrementAndGet();
    }
  }

  /** Waits, at most 5 s, until every record published before this call is written. Never call it on an event loop. */
  @Override
  public void flush() {
    long target = accepted.get();
    long deadline = System.nanoTime() + FLUSH_WAIT_NANOS;
    while (done.get() < target && writer.isAlive() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  @Override
  public void close() {
    flush();
    closed = true;
    LockSupport.unpark(writer);
  }

  private void writeUntilClosed() {
    List<LogRecord> batch = new ArrayList<>(BATCH);
    long idle = FIRST_IDLE_NANOS;
    while (!closed) {
      if (queue.drainTo(batch, BATCH) == 0) {
        LockSupport.parkNanos(idle);
        idle = Math.min(idle * 2, LONGEST_IDLE_NANOS);
        continue;
      }
      idle = FIRST_IDLE_NANOS;
      batch.forEach(this::write);
      reportDropped();
      try {
        out.flush();
      } catch (IOException e) {
        reportError("cannot flush the console", e, ErrorManager.FLUSH_FAILURE);
      }
      done.addAndGet(batch.size());
      batch.clear();
    }
  }

  private void reportDropped() {
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      LogRecord warning = new LogRecord(Level.WARNING, "{0} log records dropped: more were logged than the console "
        + "took ({1} waiting at most)");
      warning.setLoggerName(AsyncLogHandler.class.getName());
      warning.setParameters(new Object[] {Long.toString(lost), Integer.toString(CAPACITY)});
      write(warning);
    }
  }

  private void write(LogRecord record) {
    try {
      out.write(getFormatter().format(record));
    } catch (IOException e) {
      reportError("cannot write to the console", e, ErrorManager.WRITE_FAILURE);
    } catch (RuntimeException e) {
      reportError("cannot format a log record", e, ErrorManager.FORMAT_FAILURE);
    }
  }
}
