package io.switchboard.testing;

import io.switchboard.JsonLogFormat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Collects every formatted JUL log line (Switchboard, Vert.x and Netty all log through JUL here), in text and as
 * {@code log.format: json} would write it, so checks on what logs contain hold for both formats.
 */
public final class LogCapture extends Handler implements AutoCloseable {

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<String> jsonLines = new CopyOnWriteArrayList<>();
  private final SimpleFormatter formatter = new SimpleFormatter();
  private final JsonLogFormat jsonFormat = new JsonLogFormat("log-capture");

  public static LogCapture install() {
    LogCapture capture = new LogCapture();
    Logger.getLogger("").addHandler(capture);
    return capture;
  }

  @Override
  public void publish(LogRecord record) {
    lines.add(formatter.format(record));
    jsonLines.add(jsonFormat.format(record));
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** The same records as {@link JsonLogFormat} writes them. */
  public List<String> jsonLines() {
    return List.copyOf(jsonLines);
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
    Logger.getLogger("").removeHandler(this);
  }
}
