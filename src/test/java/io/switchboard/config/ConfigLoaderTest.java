package io.switchboard.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("ConfigLoader: built-in default, file merge and environment overrides")
class ConfigLoaderTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @DisplayName("environment variable names are SWITCHBOARD_<SECTION>_<KEY> in UPPER_SNAKE")
  @CsvSource({
    "limits.maxFrameBytes, SWITCHBOARD_LIMITS_MAX_FRAME_BYTES",
    "auth.hs256Secrets, SWITCHBOARD_AUTH_HS256_SECRETS",
    "ice.turnSecrets, SWITCHBOARD_ICE_TURN_SECRETS",
    "ice.credentialTtlSeconds, SWITCHBOARD_ICE_CREDENTIAL_TTL_SECONDS",
    "http.allowedOrigins, SWITCHBOARD_HTTP_ALLOWED_ORIGINS",
    "node.id, SWITCHBOARD_NODE_ID",
    "auth.devTokens, SWITCHBOARD_AUTH_DEV_TOKENS",
  })
  void envName(String path, String expected) {
    assertEquals(expected, ConfigLoader.envName(path));
  }

  @Test
  @DisplayName("without file and environment the result is the built-in default")
  void noOverrides() {
    assertEquals(ConfigLoader.builtInDefault(), ConfigLoader.load(null, Map.of()));
  }

  @Nested
  @DisplayName("environment overrides")
  class Environment {

    @Test
    @DisplayName("an int is parsed (surrounding blanks allowed) and stays an int")
    void intOverride() {
      JsonObject config = ConfigLoader.load(null, Map.of("SWITCHBOARD_LIMITS_MAX_FRAME_BYTES", " 2048 "));
      assertEquals(2048, config.getJsonObject("limits").getValue("maxFrameBytes"));
    }

    @Test
    @DisplayName("a boolean accepts true/false in any case")
    void boolOverride() {
      assertEquals(false, ConfigLoader.load(null, Map.of("SWITCHBOARD_AUTH_DEV_TOKENS", "FALSE"))
        .getJsonObject("auth").getValue("devTokens"));
      assertEquals(true, ConfigLoader.load(null, Map.of("SWITCHBOARD_AUTH_DEV_TOKENS", "True"))
        .getJsonObject("auth").getValue("devTokens"));
    }

    @Test
    @DisplayName("a list takes a comma-separated value, trimming items and skipping empty ones")
    void commaList() {
      JsonObject config = ConfigLoader.load(null,
        Map.of("SWITCHBOARD_ICE_STUN_URLS", "stun:a.example:3478, stun:b.example:3478,,"));
      assertEquals(new JsonArray().add("stun:a.example:3478").add("stun:b.example:3478"),
        config.getJsonObject("ice").getJsonArray("stunUrls"));
    }

    @Test
    @DisplayName("a list takes a JSON array, whose items may contain commas")
    void jsonArrayList() {
      JsonObject config = ConfigLoader.load(null,
        Map.of("SWITCHBOARD_AUTH_HS256_SECRETS", "[\"first,with,commas\", \"second\"]"));
      assertEquals(new JsonArray().add("first,with,commas").add("second"),
        config.getJsonObject("auth").getJsonArray("hs256Secrets"));
    }

    @Test
    @DisplayName("a string is taken verbatim")
    void stringOverride() {
      JsonObject config = ConfigLoader.load(null, Map.of("SWITCHBOARD_NODE_ID", "node-7"));
      assertEquals("node-7", config.getJsonObject("node").getString("id"));
    }

    @Test
    @DisplayName("every key of the built-in default can be set from the environment")
    void everyLeafIsOverridable() {
      JsonObject defaults = ConfigLoader.builtInDefault();
      Map<String, String> env = new HashMap<>();
      Map<String, Object> expected = new HashMap<>();
      for (String path : leafPaths(defaults, "")) {
        Object current = valueAt(defaults, path);
        if (current instanceof Integer i) {
          env.put(ConfigLoader.envName(path), Integer.toString(i + 1));
          expected.put(path, i + 1);
        } else if (current instanceof Boolean b) {
          env.put(ConfigLoader.envName(path), Boolean.toString(!b));
          expected.put(path, !b);
        } else if (current instanceof JsonArray) {
          env.put(ConfigLoader.envName(path), "x,y");
          expected.put(path, new JsonArray().add("x").add("y"));
        } else {
          env.put(ConfigLoader.envName(path), "changed");
          expected.put(path, "changed");
        }
      }
      assertTrue(expected.size() >= 20, "expected the default to have many keys, found " + expected.keySet());
      JsonObject loaded = ConfigLoader.load(null, env);
      expected.forEach((path, value) -> assertEquals(value, valueAt(loaded, path), path));
    }

    @Test
    @DisplayName("variables that name no key, or lack the prefix, change nothing")
    void unrelatedVariablesIgnored() {
      JsonObject config = ConfigLoader.load(null, Map.of(
        "SWITCHBOARD_LIMITS_NO_SUCH_KEY", "1",
        "LIMITS_MAX_FRAME_BYTES", "2048",
        "PATH", "/usr/bin"));
      assertEquals(ConfigLoader.builtInDefault(), config);
    }

    @ParameterizedTest(name = "{0}={1}")
    @DisplayName("an invalid value is refused with a ConfigException naming the variable")
    @CsvSource(delimiter = '|', value = {
      "SWITCHBOARD_LIMITS_MAX_FRAME_BYTES | 64k",
      "SWITCHBOARD_HTTP_PORT | ''",
      "SWITCHBOARD_LIMITS_RATE_BURST | 99999999999",
      "SWITCHBOARD_AUTH_DEV_TOKENS | yes",
      "SWITCHBOARD_AUTH_DEV_TOKENS | 1",
      "SWITCHBOARD_AUTH_HS256_SECRETS | [\"unterminated\"",
      "SWITCHBOARD_ICE_STUN_URLS | [1, 2",
    })
    void invalidValue(String variable, String value) {
      ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of(variable, value)));
      assertTrue(e.getMessage().contains(variable), e.getMessage());
    }
  }

  @Nested
  @DisplayName("configuration file")
  class File {

    @TempDir
    Path dir;

    @Test
    @DisplayName("is deep-merged over the default: set keys change, the others keep their default")
    void mergedOverDefaults() throws IOException {
      Path file = write("""
        {"limits": {"maxFrameBytes": 2048}, "http": {"port": 9000, "allowedOrigins": ["https://a.example"]}}
        """);
      JsonObject config = ConfigLoader.load(file, Map.of());
      JsonObject defaults = ConfigLoader.builtInDefault();
      assertEquals(2048, config.getJsonObject("limits").getInteger("maxFrameBytes"));
      assertEquals(9000, config.getJsonObject("http").getInteger("port"));
      assertEquals(new JsonArray().add("https://a.example"),
        config.getJsonObject("http").getJsonArray("allowedOrigins"));
      assertEquals(defaults.getJsonObject("limits").getInteger("rateBurst"),
        config.getJsonObject("limits").getInteger("rateBurst"));
      assertEquals(defaults.getJsonObject("http").getString("host"), config.getJsonObject("http").getString("host"));
      assertEquals(defaults.getJsonObject("auth"), config.getJsonObject("auth"));
    }

    @Test
    @DisplayName("the environment wins over the file")
    void environmentOverFile() throws IOException {
      Path file = write("{\"http\": {\"port\": 9000}}");
      JsonObject config = ConfigLoader.load(file, Map.of("SWITCHBOARD_HTTP_PORT", "9100"));
      assertEquals(9100, config.getJsonObject("http").getInteger("port"));
    }

    @Test
    @DisplayName("a missing file is a ConfigException that names the file")
    void missingFile() {
      Path missing = dir.resolve("does-not-exist.json");
      ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, Map.of()));
      assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("cannot read"), e.getMessage());
    }

    @Test
    @DisplayName("a file that is not JSON is a ConfigException that names the file")
    void notJson() throws IOException {
      Path file = write("port = 8080\n");
      ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    @DisplayName("a file holding a JSON array, string or null instead of an object is a ConfigException")
    void notAnObject() throws IOException {
      for (String content : List.of("[1, 2]", "\"text\"", "null", "42")) {
        Path file = write(content);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()), content);
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      }
    }

    @Test
    @DisplayName("loading does not change the built-in default seen by later loads")
    void defaultNotMutated() throws IOException {
      Path file = write("{\"limits\": {\"maxFrameBytes\": 2048}}");
      ConfigLoader.load(file, Map.of("SWITCHBOARD_HTTP_PORT", "9100"));
      JsonObject again = ConfigLoader.load(null, Map.of());
      assertEquals(65536, again.getJsonObject("limits").getInteger("maxFrameBytes"));
      assertEquals(8080, again.getJsonObject("http").getInteger("port"));
    }

    @Test
    @DisplayName("a key the default does not have is refused with its path (typos are not ignored)")
    void unknownKey() throws IOException {
      for (String content : List.of("{\"limits\": {\"maxFrameByte\": 2048}}", "{\"htp\": {\"port\": 9000}}")) {
        Path file = write(content);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()), content);
        assertTrue(e.getMessage().contains("unknown configuration key"), e.getMessage());
        assertTrue(e.getMessage().contains(content.contains("htp") ? "htp" : "limits.maxFrameByte"), e.getMessage());
      }
    }

    private Path write(String content) throws IOException {
      Path file = Files.createTempFile(dir, "switchboard", ".json");
      Files.writeString(file, content);
      return file;
    }
  }

  private static List<String> leafPaths(JsonObject json, String prefix) {
    List<String> paths = new ArrayList<>();
    for (String key : json.fieldNames()) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      if (json.getValue(key) instanceof JsonObject section) {
        paths.addAll(leafPaths(section, path));
      } else {
        paths.add(path);
      }
    }
    return paths;
  }

  private static Object valueAt(JsonObject json, String path) {
    String[] parts = path.split("\\.");
    JsonObject section = json;
    for (int i = 0; i < parts.length - 1; i++) {
      section = section.getJsonObject(parts[i]);
    }
    return section.getValue(parts[parts.length - 1]);
  }
}
