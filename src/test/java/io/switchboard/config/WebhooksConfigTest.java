package io.switchboard.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("webhooks.*: off by default, secrets required and checked like every other secret, URLs and bounds")
class WebhooksConfigTest {

  private static final String JWT_SECRET = "q8Vx2LmT7nR4bK9wZp3YjH6dF1sGa5Ue0cNiOo7tXr2Wv4Qk";
  private static final String HOOK_SECRET = "Zr4Tn8Qw2Lx6Vb0Mk3Jh7Gf1Dc5Sa9Pe2Yu6Io4";
  private static final String NEXT_SECRET = "Hs7Kd2Lq9Wm4Np6Xb1Vc8Zr3Tf5Gy0Ju2Ea7Oi";

  private static JsonObject json(Map<String, String> env) {
    return ConfigLoader.load(null, new java.util.HashMap<>(Map.of("SWITCHBOARD_AUTH_HS256_SECRETS", JWT_SECRET)) {
      {
        putAll(env);
      }
    });
  }

  private static SwitchboardConfig.Webhooks parse(Map<String, String> env) {
    return SwitchboardConfig.from(json(env)).webhooks();
  }

  private static String refusal(Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> SwitchboardConfig.from(json(env))).getMessage();
  }

  @Test
  @DisplayName("off by default; documented defaults")
  void defaults() {
    SwitchboardConfig.Webhooks webhooks = parse(Map.of());
    assertFalse(webhooks.enabled());
    assertEquals(5000, webhooks.requestTimeoutMillis());
    assertEquals(500, webhooks.minBackoffMillis());
    assertEquals(30_000, webhooks.maxBackoffMillis());
    assertEquals(12, webhooks.maxAttempts());
    assertEquals(900, webhooks.maxAgeSeconds());
    assertEquals(10_000, webhooks.queueSize());
    assertEquals(2000, webhooks.reorderWindowMillis());
    assertEquals(5, webhooks.drainSeconds());
  }

  @Test
  @DisplayName("from the environment: two receivers, two secrets (rotation)")
  void environment() {
    SwitchboardConfig.Webhooks webhooks = parse(Map.of("SWITCHBOARD_WEBHOOKS_URLS",
      "https://hooks.example.org/switchboard, http://10.0.0.5:8080/in", "SWITCHBOARD_WEBHOOKS_SECRETS",
      HOOK_SECRET + "," + NEXT_SECRET, "SWITCHBOARD_WEBHOOKS_MAX_ATTEMPTS", "3"));
    assertTrue(webhooks.enabled());
    assertEquals(List.of("https://hooks.example.org/switchboard", "http://10.0.0.5:8080/in"), webhooks.urls());
    assertEquals(List.of(HOOK_SECRET, NEXT_SECRET), webhooks.secrets());
    assertEquals(3, webhooks.maxAttempts());
  }

  @Test
  @DisplayName("URLs without a secret, a short or placeholder secret, three secrets: refused, no secret in the message")
  void secrets() {
    String missing = refusal(Map.of("SWITCHBOARD_WEBHOOKS_URLS", "https://hooks.example.org/in"));
    assertTrue(missing.contains("SWITCHBOARD_WEBHOOKS_SECRETS"), missing);
    String shortOne = refusal(Map.of("SWITCHBOARD_WEBHOOKS_URLS", "https://hooks.example.org/in",
      "SWITCHBOARD_WEBHOOKS_SECRETS", "tooShort123"));
    assertTrue(shortOne.contains("webhooks.secrets") && !shortOne.contains("tooShort123"), shortOne);
    String placeholder = refusal(Map.of("SWITCHBOARD_WEBHOOKS_SECRETS", "REPLACE-ME-with-a-real-webhook-key-please"));
    assertTrue(placeholder.contains("placeholder"), placeholder);
    String three = refusal(Map.of("SWITCHBOARD_WEBHOOKS_SECRETS", HOOK_SECRET + "," + NEXT_SECRET + "," + HOOK_SECRET
      + "x"));
    assertTrue(three.contains("at most 2") && !three.contains(HOOK_SECRET), three);
  }

  @Test
  @DisplayName("a URL that is not absolute http(s), or carries credentials, is refused; so are inverted backoff bounds")
  void urlsAndBounds() {
    for (String url : List.of("ftp://hooks.example.org/in", "/relative", "https://user:pw@hooks.example.org/in")) {
      String message = refusal(Map.of("SWITCHBOARD_WEBHOOKS_URLS", url, "SWITCHBOARD_WEBHOOKS_SECRETS", HOOK_SECRET));
      assertTrue(message.contains("webhooks.urls") && !message.contains("pw@"), message);
    }
    JsonObject json = json(Map.of());
    json.getJsonObject("webhooks").put("minBackoffMillis", 5000).put("maxBackoffMillis", 100)
      .put("urls", new JsonArray());
    String inverted = assertThrows(ConfigException.class, () -> SwitchboardConfig.from(json)).getMessage();
    assertTrue(inverted.contains("webhooks.maxBackoffMillis"), inverted);
  }
}
