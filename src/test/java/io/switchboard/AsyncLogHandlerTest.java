package io.switchboard;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsyncLogHandlerTest {

  @Test
  @DisplayName("every record from 4 threads is written once, each thread's in order, by the time flush returns")
  void writesEverythingInOrder() throws InterruptedException {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    AsyncLogHandler handler = handler(console);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      threads.add(new Thread(() -> {
        for (int i = 0; i < 2_000; i++) {
          handler.publish(record(Level.INFO, "t" + thread + " " + i));
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    handler.flush();
    String[] lines = console.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(8_000, lines.length);
    int[] next = new int[4];
    for (String line : lines) {
      String[] words = line.split(" ");
      int thread = Integer.parseInt(words[1].substring(1));
      assertEquals(next[thread]++, Integer.parseInt(words[2]), "thread " + thread + "'s records in order");
    }
    handler.close();
  }

  @Test
  @DisplayName("a console that does not take lines never blocks a caller: the excess is dropped, then reported")
  void fullQueueDropsAndReports() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    OutputStream stuck = new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        written.write(bytes, offset, length);
      }
    };
    AsyncLogHandler handler = handler(stuck);
    int published = AsyncLogHandler.CAPACITY * 2;
    long start = System.nanoTime();
    for (int i = 0; i < published; i++) {
      handler.publish(record(Level.INFO, "line " + i));
    }
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "publishing never waited for the console");
    release.countDown();
    handler.flush();
    handler.publish(record(Level.INFO, "after"));
    handler.flush();
    String[] lines = written.toString(StandardCharsets.UTF_8).split("\n");
    long kept = Arrays.stream(lines).filter(line -> line.startsWith("INFO line ")).count();
    // the writer may report drops more than once (it can run between the first drops and the stall)
    long reported = Arrays.stream(lines).filter(line -> line.startsWith("WARNING "))
      .peek(line -> assertTrue(line.contains(" log records dropped"), line))
      .mapToLong(line -> Long.parseLong(line.split(" ")[1])).sum();
    assertTrue(kept >= AsyncLogHandler.CAPACITY && kept < published, kept + " lines kept");
    assertEquals(published - kept, reported, "every dropped record is counted, once");
    assertEquals("INFO after", lines[lines.length - 1]);
    handler.close();
  }

  @Test
  @DisplayName("records below the handler's level, and records after close, are not written")
  void levelAndClose() {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    AsyncLogHandler handler = handler(console);
    handler.publish(record(Level.FINE, "debug"));
    handler.publish(record(Level.WARNING, "kept"));
    handler.close();
    handler.publish(record(Level.SEVERE, "too late"));
    handler.flush();
    assertEquals("WARNING kept\n", console.toString(StandardCharsets.UTF_8));
  }

  private static AsyncLogHandler handler(OutputStream out) {
    AsyncLogHandler handler = new AsyncLogHandler(out);
    handler.setFormatter(new java.util.logging.Formatter() {
      @Override
      public String format(LogRecord record) {
        return record.getLevel().getName() + " " + formatMessage(record) + "\n";
      }
    });
    return handler;
  }

  private static LogRecord record(Level level, String message) {
    LogRecord record = new LogRecord(level, message);
    record.setLoggerName("test");
    return record;
  }
}
