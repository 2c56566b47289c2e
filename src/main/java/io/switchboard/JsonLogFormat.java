package io.switchboard;

import io.vertx.core.json.JsonObject;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * {@code log.format: json}: one JSON object per line, for log collectors. Fields, always in this order:
 * {@code time} (ISO-8601, UTC, milliseconds), {@code level} (ERROR, WARNING, INFO, DEBUG or TRACE, the levels of
 * {@link System.Logger}), {@code logger}, {@code message}, {@code node}; then {@code room} and {@code session} when
 * the call passed them as {@link LogField}s, and {@code error} (the stack trace) when it passed a throwable. Every
 * string is JSON-escaped, so a message with newlines or control characters stays one line.
 */
public final class JsonLogFormat extends Formatter {

  private static final DateTimeFormatter TIME =
    DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final String node;

  /** @param node this process's node id, on every line (a process runs one node) */
  public JsonLogFormat(String node) {
    this.node = node;
  }

  @Override
  public String format(LogRecord record) {
    JsonObject line = new JsonObject()
      .put("time", TIME.format(record.getInstant()))
      .put("level", level(record.getLevel()))
      .put("logger", record.getLoggerName())
      .put("message", formatMessage(record))
      .put("node", node);
    Object[] parameters = record.getParameters();
    if (parameters != null) {
      for (Object parameter : parameters) {
        if (parameter instanceof LogField field) {
          line.put(field.name(), field.value());
        }
      }
    }
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.put("error", trace.toString().stripTrailing());
    }
    return line.encode() + System.lineSeparator();
  }

  /** JUL's level as the {@link System.Logger} level it comes from (what the code wrote), CONFIG as INFO. */
  static String level(Level level) {
    int value = level.intValue();
    if (value >= Level.SEVERE.intValue()) {
      return "ERROR";
    } else if (value >= Level.WARNING.intValue()) {
      return "WARNING";
    } else if (value >= Level.CONFIG.intValue()) {
      return "INFO";
    } else if (value >= Level.FINE.intValue()) {
      return "DEBUG";
    }
    return "TRACE";
  }
}
