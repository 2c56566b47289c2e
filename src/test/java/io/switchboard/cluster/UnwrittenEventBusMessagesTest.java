package io.switchboard.cluster;

import io.switchboard.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Exceptions no Vert.x handler took, on a clustered node")
class UnwrittenEventBusMessagesTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final UnwrittenEventBusMessages handler = new UnwrittenEventBusMessages(now::get);
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = LogCapture.install();
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  @Test
  @DisplayName("a failed write to a departed member is counted and summed up, one line per interval, no stack trace")
  void failedWritesAreSummedUp() {
    handler.handle(failedWrite());
    for (int i = 0; i < 4; i++) {
      handler.handle(failedWrite());
    }
    assertEquals(1, lines().size(), "one line for the first, none for the next four within the interval: " + lines());
    assertTrue(lines().get(0).contains("WARNING") && lines().get(0).contains("1 event-bus message(s)")
      && lines().get(0).contains("(1 in all)"), lines().get(0));

    now.addAndGet(TimeUnit.SECONDS.toNanos(UnwrittenEventBusMessages.SUMMARY_INTERVAL_SECONDS));
    handler.handle(failedWrite());
    assertEquals(2, lines().size(), lines().toString());
    assertTrue(lines().get(1).contains("5 event-bus message(s)") && lines().get(1).contains("(6 in all)"),
      lines().get(1));
    assertEquals(6, handler.unwritten());
    assertTrue(lines().stream().noneMatch(line -> line.contains("SEVERE") || line.contains("\tat ")),
      lines().toString());
  }

  @Test
  @DisplayName("the same message thrown anywhere else is logged at SEVERE with its stack trace")
  void sameMessageElsewhereIsSevere() {
    IllegalStateException elsewhere = new IllegalStateException("Promise already completed");
    handler.handle(elsewhere);
    assertEquals(1, lines().size());
    assertTrue(lines().get(0).contains("SEVERE") && lines().get(0).contains("Unhandled exception")
      && lines().get(0).contains("\tat " + UnwrittenEventBusMessagesTest.class.getName()), lines().get(0));
    assertEquals(0, handler.unwritten());
  }

  @Test
  @DisplayName("any other exception is logged at SEVERE with its stack trace")
  void otherExceptionsAreSevere() {
    handler.handle(new NullPointerException("boom"));
    assertEquals(1, lines().size());
    assertTrue(lines().get(0).contains("SEVERE") && lines().get(0).contains("java.lang.NullPointerException: boom"),
      lines().get(0));
    assertEquals(0, handler.unwritten());
  }

  private List<String> lines() {
    return log.lines().stream().filter(line -> line.contains(UnwrittenEventBusMessages.class.getSimpleName())
      || line.contains("Unhandled exception")).toList();
  }

  /** What Vert.x 5.1.1 throws for a failed write to another member (the top of a trace from a node's log). */
  private static IllegalStateException failedWrite() {
    IllegalStateException e = new IllegalStateException("Promise already completed");
    e.setStackTrace(new StackTraceElement[] {
      new StackTraceElement("io.vertx.core.Promise", "fail", "Promise.java", 103),
      new StackTraceElement("io.vertx.core.Promise", "complete", "Promise.java", 62),
      new StackTraceElement("io.vertx.core.impl.future.FutureBase$EmitResultTask", "run", "FutureBase.java", 125),
      new StackTraceElement("io.vertx.core.impl.future.FutureBase", "onComplete", "FutureBase.java", 224),
      new StackTraceElement("io.vertx.core.eventbus.impl.clustered.OutboundConnection", "writeMessage",
        "OutboundConnection.java", 86),
      new StackTraceElement("io.vertx.core.eventbus.impl.clustered.ClusteredEventBus", "sendRemote",
        "ClusteredEventBus.java", 346),
    });
    return e;
  }
}
