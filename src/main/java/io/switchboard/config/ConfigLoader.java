package io.switchboard.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the effective configuration: the built-in default ({@code conf/switchboard.json}, packed in the jar),
 * deep-merged with an optional file, then with environment variables. Every key of the default can be set from
 * the environment as {@code SWITCHBOARD_<SECTION>_<KEY>} with camelCase turned into UPPER_SNAKE, for example
 * {@code limits.maxFrameBytes} → {@code SWITCHBOARD_LIMITS_MAX_FRAME_BYTES}. Lists take a JSON array or a
 * comma-separated value.
 */
public final class ConfigLoader {

  public static final String DEFAULT_RESOURCE = "conf/switchboard.json";
  public static final String ENV_PREFIX = "SWITCHBOARD_";

  private ConfigLoader() {
  }

  /** Loads the default, merges {@code file} (may be null) and the given environment. */
  public static JsonObject load(Path file, Map<String, String> env) {
    JsonObject merged = builtInDefault();
    if (file != null) {
      JsonObject fromFile = readFile(file);
      checkKnownKeys(fromFile, merged, "", file);
      merged.mergeIn(fromFile, true);
    }
    applyEnvironment(merged, "", env);
    return merged;
  }

  public static JsonObject builtInDefault() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new ConfigException("built-in configuration " + DEFAULT_RESOURCE + " is missing from the class path");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("cannot read built-in configuration: " + e.getMessage());
    }
  }

  private static JsonObject readFile(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
    } catch (DecodeException e) {
      throw new ConfigException("configuration file " + file + " is not a JSON object: " + e.getMessage());
    }
  }

  /** A key the default does not have is a typo or a stale setting: refuse it rather than ignore it. */
  private static void checkKnownKeys(JsonObject given, JsonObject known, String prefix, Path file) {
    for (String key : given.fieldNames()) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      if (!known.containsKey(key)) {
        throw new ConfigException(file + ": unknown configuration key " + path);
      }
      if (given.getValue(key) instanceof JsonObject section && known.getValue(key) instanceof JsonObject knownSection) {
        checkKnownKeys(section, knownSection, path, file);
      }
    }
  }

  /** Overrides every leaf of {@code config} that has a matching environment variable, keeping the leaf's type. */
  private static void applyEnvironment(JsonObject config, String prefix, Map<String, String> env) {
    for (String key : config.fieldNames()) {
      Object current = config.getValue(key);
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      if (current instanceof JsonObject section) {
        applyEnvironment(section, path, env);
        continue;
      }
      String raw = env.get(envName(path));
      if (raw != null) {
        config.put(key, convert(path, raw, current));
      }
    }
  }

  /** {@code limits.maxFrameBytes} → {@code SWITCHBOARD_LIMITS_MAX_FRAME_BYTES}. */
  public static String envName(String path) {
    StringBuilder name = new StringBuilder(ENV_PREFIX);
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '.') {
        name.append('_');
      } else if (Character.isUpperCase(c)) {
        name.append('_').append(c);
      } else {
        name.append(Character.toUpperCase(c));
      }
    }
    return name.toString();
  }

  private static Object convert(String path, String raw, Object current) {
    String value = raw.trim();
    try {
      if (current instanceof Integer) {
        return Integer.parseInt(value);
      }
      if (current instanceof Long) {
        return Long.parseLong(value);
      }
      if (current instanceof Boolean) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (!lower.equals("true") && !lower.equals("false")) {
          throw new IllegalArgumentException("expected true or false");
        }
        return Boolean.parseBoolean(lower);
      }
      if (current instanceof JsonArray) {
        return parseList(value);
      }
      return raw;
    } catch (RuntimeException e) {
      throw new ConfigException("environment variable " + envName(path) + " has an invalid value for "
        + path + ": " + e.getMessage());
    }
  }

  private static JsonArray parseList(String value) {
    if (value.startsWith("[")) {
      return new JsonArray(value);
    }
    JsonArray list = new JsonArray();
    for (String item : value.split(",")) {
      if (!item.isBlank()) {
        list.add(item.trim());
      }
    }
    return list;
  }
}
