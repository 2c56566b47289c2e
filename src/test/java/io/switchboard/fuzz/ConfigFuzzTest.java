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
 * NAME=value ...} (the NUL can never be part of a JSON text, so the split is unambiguous).
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
    int nul = indexOf(input, (byte) 0);
    byte[] content = nul < 0 ? input : Arrays.copyOf(input, nul);
    Map<String, String> env = nul < 0 ? Map.of() : environment(Arrays.copyOfRange(input, nul + 1, input.length));
    Files.write(file, content);
    check(file, env);
    check(null, env);
  }

  private static void check(Path path, Map<String, String> env) {
    SwitchboardConfig config;
    try {
      JsonObject json = ConfigLoader.load(path, env);
      config = SwitchboardConfig.from(json);
    } catch (ConfigException e) {
      assertNotNull(e.getMessage());
      return;
    } catch (RuntimeException e) {
      fail("loading threw " + e + " (only ConfigException is allowed); environment " + env.keySet(), e);
      return;
    }
    accepted(config);
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
