package io.switchboard;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("JsonLogFormat: one JSON object per line, stable fields, everything escaped")
class JsonLogFormatTest {

  private final JsonLogFormat format = new JsonLogFormat("node-7");

  private static LogRecord record(Level level, String message, Object... parameters) {
    LogRecord record = new LogRecord(level, message);
    record.setLoggerName("io.switchboard.Test");
    record.setInstant(Instant.parse("2026-11-29T09:10:11.123456Z"));
    record.setParameters(parameters.length == 0 ? null : parameters);
    return record;
  }

  /** The formatted record: exactly one line, which is one JSON object. */
  private JsonObject line(LogRecord record) {
    String text = format.format(record);
    assertTrue(text.endsWith(System.lineSeparator()), text);
    String body = text.substring(0, text.length() - System.lineSeparator().length());
    assertFalse(body.contains("\n") || body.contains("\r"), "one line: " + text);
    return new JsonObject(body);
  }

  @Test
  @DisplayName("time in UTC with milliseconds, level, logger, message, node; nothing else when nothing else is known")
  void fields() {
    JsonObject line = line(record(Level.INFO, "started in {0}", "no time"));
    assertEquals(List.of("time", "level", "logger", "message", "node"), List.copyOf(line.fieldNames()));
    assertEquals("2026-11-29T09:10:11.123Z", line.getString("time"));
    assertEquals("INFO", line.getString("level"));
    assertEquals("io.switchboard.Test", line.getString("logger"));
    assertEquals("started in no time", line.getString("message"));
    assertEquals("node-7", line.getString("node"));
  }

  @Test
  @DisplayName("room and session passed as LogFields are fields of their own, and still part of the message")
  void roomAndSession() {
    JsonObject line = line(record(Level.INFO, "session {0} joined room {1}", LogField.session("s-1"),
      LogField.room("standup")));
    assertEquals("standup", line.getString("room"));
    assertEquals("s-1", line.getString("session"));
    assertEquals("session s-1 joined room standup", line.getString("message"));
  }

  @Test
  @DisplayName("quotes, backslashes, newlines, control characters and non-ASCII text survive a round trip")
  void escaping() {
    String nasty = "say \"hi\" \\ path\nsecond line\r\tand \u0000\u0001\u001f\u007f, caf\u00e9 \u65e5\u672c "
      + "\ud83d\ude00 \u2028";
    JsonObject line = line(record(Level.WARNING, "{0}", LogField.room(nasty)));
    assertEquals(nasty, line.getString("message"));
    assertEquals(nasty, line.getString("room"));
  }

  @Test
  @DisplayName("a message that is not a valid pattern is written as it is")
  void unbalancedBraces() {
    assertEquals("odd {0 brace", line(record(Level.INFO, "odd {0 brace", "x")).getString("message"));
  }

  @Test
  @DisplayName("a throwable becomes the error field: its stack trace, causes included, in the same line")
  void error() {
    LogRecord record = record(Level.SEVERE, "request failed");
    record.setThrown(new IllegalStateException("outer", new java.io.IOException("inner \"cause\"")));
    JsonObject line = line(record);
    String error = line.getString("error");
    assertTrue(error.startsWith("java.lang.IllegalStateException: outer"), error);
    assertTrue(error.contains("Caused by: java.io.IOException: inner \"cause\""), error);
    assertTrue(error.contains("\n\tat io.switchboard.JsonLogFormatTest.error"), error);
    assertEquals("ERROR", line.getString("level"));
  }

  @Test
  @DisplayName("levels are System.Logger's: ERROR, WARNING, INFO, DEBUG, TRACE")
  void levels() {
    assertEquals("ERROR", JsonLogFormat.level(Level.SEVERE));
    assertEquals("WARNING", JsonLogFormat.level(Level.WARNING));
    assertEquals("INFO", JsonLogFormat.level(Level.INFO));
    assertEquals("INFO", JsonLogFormat.level(Level.CONFIG));
    assertEquals("DEBUG", JsonLogFormat.level(Level.FINE));
    assertEquals("TRACE", JsonLogFormat.level(Level.FINER));
    assertEquals("TRACE", JsonLogFormat.level(Level.FINEST));
  }

  @Test
  @DisplayName("records logged through System.Logger keep their LogField parameters")
  void throughSystemLogger() {
    List<LogRecord> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.switchboard.JsonLogFormatTest.bridge");
    java.util.logging.Handler handler = new java.util.logging.Handler() {
      @Override
      public void publish(LogRecord record) {
        seen.add(record);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    jul.addHandler(handler);
    try {
      System.getLogger("io.switchboard.JsonLogFormatTest.bridge").log(System.Logger.Level.INFO,
        "session {0} in room {1}", LogField.session("abc"), LogField.room("r1"));
    } finally {
      jul.removeHandler(handler);
    }
    assertEquals(1, seen.size());
    JsonObject line = line(seen.get(0));
    assertEquals("r1", line.getString("room"));
    assertEquals("abc", line.getString("session"));
    assertEquals("io.switchboard.JsonLogFormatTest.bridge", line.getString("logger"));
  }
}
