package io.switchboard.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.config.ConfigException;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz target 5: the configuration loader ({@link ConfigLoader#load}) and validation ({@link SwitchboardConfig#from}).
 * The input is a configuration file, optionally followed by environment variables: {@code file NUL NAME=value NUL
 * NAME=value ...} (the NUL can never be part of a JSON text, so the split is unambiguous). An input that starts with
 * {@code @} is settings instead, one per line, {@code section.key=value} (the value as JSON when it parses, else as
 * a string), written into a file by this test with an HS256 secret in the environment: so the fuzzer reaches every
 * key's checks, and can put any character into a value, without having to keep a whole file valid.
 *
 * <p>Invariants, and what each protects:
 * <ul>
 *   <li>garbage files and environment values give {@link ConfigException} (a message naming the key) and nothing
 *       else: an operator's typo is never a stack trace;</li>
 *   <li>the same environment without a file gives ConfigException or a configuration, nothing else;</li>
 *   <li>an accepted configuration keeps the documented bounds and rules (ports, port range, lifetimes, secret
 *       lengths, development mode only on loopback and never clustered, a clustered node with TLS or explicitly
 *       insecure).</li>
 * </ul>
 */
@DisplayName("fuzz: configuration loader and validation")
class ConfigFuzzTest {

  static final String SECRET = "k3Jd9sLq0ZxW2vB7nM4tY8uR1oP6aE5cHfGiQ0wXyTzA";
  private static final FuzzStats STATS = new FuzzStats(ConfigFuzzTest.class, "load");
  private static Path dir;
  private static Path file;

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("switchboard-config-fuzz");
    file = dir.resolve("switchboard.json");
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      STATS.checkFuzzed();
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  @DictionaryFile(resourcePath = "ConfigFuzzTest.dict")
  @FuzzTest(maxDuration = "8s")
  void load(byte[] input) throws IOException {
    STATS.executed();
    byte[] content;
    Map<String, String> env;
    if (input.length > 0 && input[0] == '@') {
      content = settings(new String(input, 1, input.length - 1, StandardCharsets.UTF_8)).encode()
        .getBytes(StandardCharsets.UTF_8);
      env = Map.of("SWITCHBOARD_AUTH_HS256_SECRETS", SECRET);
    } else {
      int nul = indexOf(input, (byte) 0);
      content = nul < 0 ? input : Arrays.copyOf(input, nul);
      env = nul < 0 ? Map.of() : environment(Arrays.copyOfRange(input, nul + 1, input.length));
    }
    Files.write(file, content);
    check(file, env);
    check(null, env);
  }

  private static void check(Path path, Map<String, String> env) {
    SwitchboardConfig config;
    JsonObject json;
    try {
      json = ConfigLoader.load(path, env);
      config = SwitchboardConfig.from(json);
    } catch (ConfigException e) {
      assertNotNull(e.getMessage());
      return;
    } catch (RuntimeException e) {
      fail("loading threw " + e + " (only ConfigException is allowed); environment " + env.keySet(), e);
      return;
    }
    accepted(config);
    wholeNumbers(json, "");
  }

  /** {@code section.key=value} lines as a JSON object; the value is JSON when it parses, else the text itself. */
  private static JsonObject settings(String lines) {
    JsonObject json = new JsonObject();
    for (String line : lines.split("\n")) {
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String[] path = line.substring(0, eq).split("\\.", -1);
      String raw = line.substring(eq + 1);
      Object value;
      try {
        value = io.vertx.core.json.Json.decodeValue(raw);
      } catch (RuntimeException e) {
        value = raw;
      }
      JsonObject section = json;
      for (int i = 0; i < path.length - 1; i++) {
        Object next = section.getValue(path[i]);
        JsonObject child = next instanceof JsonObject object ? object : new JsonObject();
        section.put(path[i], child);
        section = child;
      }
      section.put(path[path.length - 1], value);
    }
    return json;
  }

  /** NAME=value entries separated by NUL; a name without = gets the empty value. */
  private static Map<String, String> environment(byte[] bytes) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String entry : new String(bytes, StandardCharsets.UTF_8).split("\0")) {
      int eq = entry.indexOf('=');
      env.put(eq < 0 ? entry : entry.substring(0, eq), eq < 0 ? "" : entry.substring(eq + 1));
    }
    return env;
  }

  /**
   * Every setting of the configuration that is a number is a whole number that fits an int: so in a configuration
   * that was accepted, each number must be one exactly (a number that only wraps into range is garbage).
   */
  private static void wholeNumbers(Object value, String path) {
    if (value instanceof JsonObject object) {
      object.forEach(e -> wholeNumbers(e.getValue(), path + "." + e.getKey()));
    } else if (value instanceof io.vertx.core.json.JsonArray array) {
      array.forEach(item -> wholeNumbers(item, path + "[]"));
    } else if (value instanceof Number n) {
      java.math.BigDecimal exact = new java.math.BigDecimal(n.toString());
      assertTrue(exact.signum() == 0 || (exact.stripTrailingZeros().scale() <= 0
          && exact.compareTo(java.math.BigDecimal.valueOf(Integer.MIN_VALUE)) >= 0
          && exact.compareTo(java.math.BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0),
        "accepted " + path + " = " + n + ", which no setting can hold");
    }
  }

  private static void accepted(SwitchboardConfig config) {
    assertTrue(config.http().port() >= 0 && config.http().port() <= 65535);
    SwitchboardConfig.Relay relay = config.relay();
    assertTrue(relay.minPort() >= 1024 && relay.minPort() <= relay.maxPort() && relay.maxPort() <= 65535,
      "relay port range " + relay.minPort() + "-" + relay.maxPort());
    assertTrue(relay.defaultLifetimeSeconds() <= relay.maxLifetimeSeconds(), "lifetimes");
    assertTrue(relay.port() >= 1 && relay.port() <= 65535);
    config.auth().hs256Secrets().forEach(s -> assertTrue(s.length() >= SwitchboardConfig.MIN_SECRET_LENGTH));
    config.ice().turnSecrets().forEach(s -> assertTrue(s.length() >= SwitchboardConfig.MIN_SECRET_LENGTH));
    assertTrue(!config.auth().hs256Secrets().isEmpty() || !config.auth().rs256PublicKeys().isEmpty()
      || !config.auth().es256PublicKeys().isEmpty(), "accepted without any JWT key");
    if (config.auth().devTokens()) {
      assertTrue(!config.cluster().enabled(), "development mode in a cluster");
    }
    if (config.cluster().enabled()) {
      assertTrue(config.cluster().insecure() != config.cluster().tls().configured(),
        "a cluster must have TLS or be explicitly insecure, not both");
    }
    assertEquals(config.node().id().isEmpty() || SwitchboardConfig.NODE_ID.matcher(config.node().id()).matches(), true,
      "node id " + config.node().id());
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
