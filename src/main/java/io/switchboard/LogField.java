package io.switchboard;

/**
 * A value of a log call that is also a field of its own in JSON logs: pass it as a parameter
 * ({@code LOG.log(level, "... room {0}", LogField.room(room))}); text lines print its value where the message
 * places it, {@link JsonLogFormat} adds it as {@code "room"} or {@code "session"} too, so log searches need no
 * parsing of messages. Only these two names exist, so the JSON fields stay stable.
 */
public final class LogField {

  static final String ROOM = "room";
  static final String SESSION = "session";

  private final String name;
  private final String value;

  private LogField(String name, String value) {
    this.name = name;
    this.value = value;
  }

  public static LogField room(String room) {
    return new LogField(ROOM, room);
  }

  /** A session's id (never its resume token: that is a credential). */
  public static LogField session(String sessionId) {
    return new LogField(SESSION, sessionId);
  }

  String name() {
    return name;
  }

  String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
