package io.switchboard;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One log line: {@code 2026-11-21 16:04:05.123 INFO    [logger] message}. Unlike
 * {@link java.util.logging.SimpleFormatter} it never asks for the record's source class, which makes the JDK walk
 * the stack for every line (13 % of the CPU of a WebSocket upgrade, which logs one access line), and it reuses one
 * date formatter.
 */
public final class LogFormat extends Formatter {

  private static final DateTimeFormatter TIME =
    DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  @Override
  public String format(LogRecord record) {
    StringBuilder line = new StringBuilder(128);
    TIME.formatTo(record.getInstant(), line);
    String level = record.getLevel().getName();
    line.append(' ').append(level);
    for (int pad = level.length(); pad < 7; pad++) {
      line.append(' ');
    }
    line.append(" [").append(record.getLoggerName()).append("] ").append(formatMessage(record));
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.append(System.lineSeparator()).append(trace.toString().stripTrailing());
    }
    return line.append(System.lineSeparator()).toString();
  }
}
