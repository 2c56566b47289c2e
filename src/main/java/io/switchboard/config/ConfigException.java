package io.switchboard.config;

/** A configuration that Switchboard refuses to start with; the message says what to change. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
