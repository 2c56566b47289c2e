package io.switchboard.signaling.it;

import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.Http;
import io.switchboard.testing.LogCapture;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.SilentWsClient;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("WebSocket upgrade: a bad token gets 401 with a JSON reason before any socket opens")
class UpgradeAuthTest {

  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single();

  private static TestNode node() {
    return NODES.node();
  }
  private static LogCapture logs;

  @BeforeAll
  static void captureLogs() {
    logs = LogCapture.install();
  }

  @AfterAll
  static void releaseLogs() {
    logs.close();
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  private static JsonObject validClaims() {
    return new JsonObject().put("sub", "alice").put("room", "standup").put("exp", now() + 600);
  }

  /** Asserts a 401 whose JSON body says {@code unauthorized} with a message containing {@code why}. */
  private static void assertRefused(String token, String why) {
    double admittedBefore = metric("switchboard_sessions_opened_total");
    UpgradeRejectedException refusal = WsClient.refusal(NODES.client(), node().port(), token);
    assertEquals(401, refusal.getStatus());
    JsonObject body = refusal.getBody().toJsonObject();
    assertEquals("unauthorized", body.getString("error"));
    assertTrue(body.getString("message").contains(why), () -> "message was: " + body.getString("message"));
    assertEquals(admittedBefore, metric("switchboard_sessions_opened_total"), "a refused upgrade admitted a session");
  }

  private static double metric(String series) {
    return Metrics.value(node().port(), series);
  }

  private static String hs256(JsonObject header, JsonObject claims, String key) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
      + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String unsigned(JsonObject claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
      + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + ".";
  }

  @Test
  void missingToken() {
    assertRefused(null, "no token");
  }

  @Test
  void malformedToken() {
    assertRefused("not-a-jwt", "not a JWT");
    assertRefused("a.b.c", "base64url-encoded JSON");
  }

  @Test
  void badSignature() throws Exception {
    assertRefused(hs256(new JsonObject().put("alg", "HS256"), validClaims(),
      "another-key-0123456789abcdefghijklmnopqrstuvwxyz"), "signature");
  }

  @Test
  void expired() {
    assertRefused(node().sign(validClaims().put("exp", now() - 3600)), "expired");
  }

  @Test
  void notYetValid() {
    assertRefused(node().sign(validClaims().put("nbf", now() + 3600)), "not valid yet");
  }

  @Test
  void algNone() {
    assertRefused(unsigned(validClaims()), "alg none");
  }

  @Test
  void algorithmNotConfigured() throws Exception {
    assertRefused(hs256(new JsonObject().put("alg", "RS256"), validClaims(), TestNode.JWT_KEY), "not accepted");
    assertRefused(hs256(new JsonObject().put("alg", "HS512"), validClaims(), TestNode.JWT_KEY), "not accepted");
  }

  @Test
  void missingClaims() {
    JsonObject noSub = validClaims();
    noSub.remove("sub");
    assertRefused(node().sign(noSub), "no sub");
    JsonObject noRoom = validClaims();
    noRoom.remove("room");
    assertRefused(node().sign(noRoom), "no room");
    JsonObject noExp = validClaims();
    noExp.remove("exp");
    assertRefused(node().sign(noExp), "no exp");
  }

  @Test
  void invalidRoomName() {
    assertRefused(node().sign(validClaims().put("room", "no spaces")), "room claim");
    assertRefused(node().sign(validClaims().put("room", "x".repeat(65))), "room claim");
  }

  @Test
  @DisplayName("the Authorization header works as well as access_token")
  void bearerHeader() {
    String token = node().token("hdr", "standup");
    var socket = WsClient.await(NODES.client().connect(new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(node().port())
      .setURI("/ws").addHeader("Authorization", "Bearer " + token)));
    WsClient.await(socket.close());
    UpgradeRejectedException refused = assertThrowsRejected(new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(node().port()).setURI("/ws").addHeader("Authorization", "Bearer nope"));
    assertEquals(401, refused.getStatus());
  }

  private static UpgradeRejectedException assertThrowsRejected(WebSocketConnectOptions options) {
    try {
      WsClient.await(NODES.client().connect(options));
    } catch (UpgradeRejectedException e) {
      return e;
    }
    throw new AssertionError("upgrade was accepted");
  }

  @Test
  @DisplayName("with http.allowedOrigins set, a browser from another origin gets 403; listed and absent origins pass")
  void allowedOrigins() throws Exception {
    try (TestNode guarded = TestNode.start(new JsonObject().put("http",
      new JsonObject().put("allowedOrigins", new io.vertx.core.json.JsonArray().add("https://meet.example.org"))))) {
      String token = guarded.token("origin-check", "standup");
      WebSocketConnectOptions foreign = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(guarded.port())
        .setURI("/ws?access_token=" + token).addHeader("Origin", "https://evil.example");
      UpgradeRejectedException refused = assertThrowsRejected(foreign);
      assertEquals(403, refused.getStatus());
      assertEquals("forbidden", refused.getBody().toJsonObject().getString("error"));

      WebSocketConnectOptions listed = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(guarded.port())
        .setURI("/ws?access_token=" + token).addHeader("Origin", "https://meet.example.org");
      WsClient.await(WsClient.await(NODES.client().connect(listed)).close());

      // a non-browser client sends no Origin (Vert.x's client adds one of its own, so use a raw socket)
      SilentWsClient.connect(guarded.port(), token).close();
    }
  }

  @Test
  @DisplayName("no token ever reaches a log line, access log included, in text and in JSON (log.format)")
  void tokensNeverLogged() {
    String good = node().token("logcheck", "standup");
    WsClient.join(NODES.client(), node().port(), good).close();
    String expired = node().sign(validClaims().put("exp", now() - 3600));
    WsClient.refusal(NODES.client(), node().port(), expired);
    Http.get(node().port(), "/api/rooms", expired);
    assertFalse(logs.lines().isEmpty(), "the access log should have written something");
    List<String> both = new ArrayList<>(logs.lines());
    both.addAll(logs.jsonLines());
    assertTrue(logs.jsonLines().stream().anyMatch(line -> line.contains("\"session\"")),
      "the join's line in JSON: " + logs.jsonLines());
    for (String line : both) {
      assertFalse(line.contains(good) || line.contains(expired) || line.contains("access_token"),
        () -> "token in log: " + line);
    }
  }
}
