package io.switchboard;

import io.switchboard.config.ConfigException;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("the command line: development mode only when asked for")
class CommandLineTest {

  private static final String SECRET = "q8Vx2LmT7nR4bK9wZp3YjH6dF1sGa5Ue0cNiOo7tXr2Wv4Qk";

  @Test
  @DisplayName("no argument and no SWITCHBOARD_* variable is the demo; anything configured is not")
  void bareDemo() {
    Map<String, String> ordinary = Map.of("PATH", "/usr/bin", "HOME", "/root");
    assertTrue(Main.isBareDemo(new String[0], ordinary));
    assertFalse(Main.isBareDemo(new String[] {"--conf", "conf/production.json"}, ordinary));
    assertFalse(Main.isBareDemo(new String[0], Map.of("SWITCHBOARD_AUTH_HS256_SECRETS", SECRET)));
    assertFalse(Main.isBareDemo(new String[0], Map.of("SWITCHBOARD_HTTP_PORT", "9000")));
  }

  @Test
  @DisplayName("the demo and --dev turn development tokens on; nothing else does")
  void development() {
    assertTrue(Main.nodeConfig(ConfigLoader.load(null, Map.of()), Map.of(), true).auth().devTokens());
    assertTrue(Main.nodeConfig(ConfigLoader.load(null, Map.of()), Map.of("dev", "true"), false).auth().devTokens());
    SwitchboardConfig configured = Main.nodeConfig(ConfigLoader.load(null,
      Map.of("SWITCHBOARD_AUTH_HS256_SECRETS", SECRET)), Map.of(), false);
    assertFalse(configured.auth().devTokens());
  }

  @Test
  @DisplayName("a --conf file that does not mention devTokens leaves them off")
  void fileWithoutDevTokens(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("production.json"), new JsonObject()
      .put("auth", new JsonObject().put("hs256Secrets", new io.vertx.core.json.JsonArray().add(SECRET))).encode());
    assertFalse(Main.nodeConfig(ConfigLoader.load(file, Map.of()), Map.of("conf", file.toString()), false)
      .auth().devTokens());
  }

  @Test
  @DisplayName("--dev is refused with --cluster and on a non-loopback http.host, naming the reason")
  void developmentRefused() {
    ConfigException clustered = assertThrows(ConfigException.class, () -> Main.nodeConfig(
      ConfigLoader.load(null, Map.of("SWITCHBOARD_CLUSTER_INSECURE", "true")),
      Map.of("dev", "true", "cluster", "true"), false));
    assertTrue(clustered.getMessage().contains("auth.devTokens cannot be used in a cluster"), clustered.getMessage());
    ConfigException exposed = assertThrows(ConfigException.class, () -> Main.nodeConfig(
      ConfigLoader.load(null, Map.of("SWITCHBOARD_HTTP_HOST", "0.0.0.0")), Map.of("dev", "true"), false));
    assertTrue(exposed.getMessage().contains("loopback http.host"), exposed.getMessage());
    assertFalse(Main.nodeConfig(ConfigLoader.load(null, Map.of("SWITCHBOARD_HTTP_HOST", "::1")),
      Map.of("dev", "true"), false).http().host().isEmpty(), "::1 is loopback");
  }
}
