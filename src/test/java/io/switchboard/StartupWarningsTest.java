package io.switchboard;

import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("start-up warnings")
class StartupWarningsTest {

  private static JsonObject demo() {
    JsonObject json = ConfigLoader.builtInDefault();
    json.getJsonObject("auth").put("devTokens", true);
    return json;
  }

  @Test
  @DisplayName("the demo warns that development tokens are on and that the JWT secret was made up")
  void developmentDefault() {
    List<String> warnings = Main.startupWarnings(SwitchboardConfig.from(demo()));
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("development tokens are ON"));
    assertTrue(warnings.get(1).contains("generated a random one"));
  }

  @Test
  @DisplayName("TURN URLs without a secret in development: the made-up TURN secret is announced")
  void generatedTurnSecret() {
    JsonObject json = demo();
    json.getJsonObject("ice").put("turnUrls", new JsonArray().add("turn:127.0.0.1:3478"));
    assertTrue(Main.startupWarnings(SwitchboardConfig.from(json)).stream().anyMatch(w -> w.contains("TURN secret")));
  }

  @Test
  @DisplayName("relay peers allowed beyond the default policy are announced")
  void relayAllowedPeers() {
    JsonObject json = demo();
    json.getJsonObject("relay").put("allowedPeers", new JsonArray().add("127.0.0.0/8"));
    assertTrue(Main.startupWarnings(SwitchboardConfig.from(json)).stream()
      .anyMatch(w -> w.contains("relay.allowedPeers [127.0.0.0/8]")));
  }

  @Test
  @DisplayName("a cluster without event-bus TLS (cluster.insecure) is announced")
  void insecureCluster() {
    JsonObject json = ConfigLoader.builtInDefault();
    json.getJsonObject("auth")
      .put("hs256Secrets", new JsonArray().add("q8Vx2LmT7nR4bK9wZp3YjH6dF1sGa5Ue0cNiOo7tXr2Wv4Qk"));
    json.getJsonObject("cluster").put("enabled", true).put("insecure", true);
    assertEquals(List.of(Main.INSECURE_CLUSTER_WARNING), Main.startupWarnings(SwitchboardConfig.from(json)));
  }

  @Test
  @DisplayName("a production configuration starts without warnings")
  void production() {
    JsonObject json = ConfigLoader.builtInDefault();
    json.getJsonObject("auth").put("devTokens", false)
      .put("hs256Secrets", new JsonArray().add("q8Vx2LmT7nR4bK9wZp3YjH6dF1sGa5Ue0cNiOo7tXr2Wv4Qk"));
    assertEquals(List.of(), Main.startupWarnings(SwitchboardConfig.from(json)));
  }
}
