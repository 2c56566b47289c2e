package io.switchboard.signaling.it;

import io.switchboard.testing.Metrics;
import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/protocol.md, "Authentication": the {@code Authorization} header takes precedence over
 * {@code access_token} when present, {@code Bearer} is matched case-insensitively, and a token longer than 8192
 * characters is refused ({@code 401}, {@code token is longer than 8192 characters}) before it is decoded.
 */
@DisplayName("Upgrade tokens: the header wins over access_token, any case of Bearer, at most 8192 characters")
class TokenPlacesTest {

  private static final int MAX_TOKEN = 8192;
  private static final String TOO_LONG = "token is longer than 8192 characters";
  private static final String NOT_A_JWT = "token is not a JWT (expected header.payload.signature)";

  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single();

  @Test
  @DisplayName("with a token in both places, the header's is the one checked: its identity joins, its refusal"
    + " refuses")
  void headerTakesPrecedence() throws Exception {
    String room = TestNode.unique("places");
    String header = TestTokens.participant("from-header", room, null);
    String query = TestTokens.participant("from-query", room, null);

    assertEquals("from-header", welcome(connect(query, "Bearer " + header)).getString("identity"));
    UpgradeRejectedException refused = refusal(connect(query, "Bearer not-a-token"));
    assertEquals(401, refused.getStatus());
    assertEquals(NOT_A_JWT, refused.getBody().toJsonObject().getString("message"),
      "the valid access_token must not rescue a bad header token");
    assertEquals("from-header", welcome(connect("not-a-token", "Bearer " + header)).getString("identity"),
      "a bad access_token does not matter when the header holds a good one");
  }

  @Test
  @DisplayName("the scheme is matched case-insensitively: bearer, BEARER and bEaReR all work")
  void schemeAnyCase() throws Exception {
    String room = TestNode.unique("places");
    for (String scheme : new String[] {"bearer", "BEARER", "bEaReR"}) {
      String identity = "scheme-" + scheme;
      String token = TestTokens.participant(identity, room, null);
      assertEquals(identity, welcome(connect(null, scheme + " " + token)).getString("identity"), scheme);
    }
  }

  @Test
  @DisplayName("a validly signed token of 8192 characters is accepted; one of 8193 gets 401 'token is longer than"
    + " 8192 characters', counted as malformed")
  void tokenLengthLimit() throws Exception {
    String room = TestNode.unique("places");
    String atLimit = signedOfLength("at-limit", room, MAX_TOKEN);
    assertEquals("at-limit", welcome(connect(atLimit, null)).getString("identity"));

    String overLimit = signedOfLength("over-limit", room, MAX_TOKEN + 1);
    double malformedBefore = malformed();
    UpgradeRejectedException refused = refusal(connect(overLimit, null));
    assertEquals(401, refused.getStatus());
    assertEquals(TOO_LONG, refused.getBody().toJsonObject().getString("message"));
    assertEquals(malformedBefore + 1, malformed());
  }

  @Test
  @DisplayName("the same limit in the Authorization header: 8192 characters accepted, 8193 refused with 401")
  void tokenLengthLimitInHeader() throws Exception {
    String room = TestNode.unique("places");
    String atLimit = signedOfLength("header-at-limit", room, MAX_TOKEN);
    assertEquals("header-at-limit", welcome(connect(null, "Bearer " + atLimit)).getString("identity"));

    UpgradeRejectedException refused = refusal(connect(null, "Bearer " + signedOfLength("header-over", room,
      MAX_TOKEN + 1)));
    assertEquals(401, refused.getStatus());
    assertEquals(TOO_LONG, refused.getBody().toJsonObject().getString("message"));
  }

  private static double malformed() {
    return Metrics.value(NODES.port(), "switchboard_auth_failures_total{reason=\"malformed\"}");
  }

  /** A participant token signed with the node's key, padded with an unknown claim to exactly {@code length}. */
  private static String signedOfLength(String identity, String room, int length) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = new JsonObject().put("sub", identity).put("room", room).put("exp", now + 600).put("pad", "");
    int base = TestTokens.sign(claims).length();
    // base64url turns every 3 bytes into 4 characters: try the paddings around the estimate
    int estimate = (length - base) * 3 / 4;
    for (int pad = Math.max(0, estimate - 4); pad <= estimate + 4; pad++) {
      String token = TestTokens.sign(claims.copy().put("pad", "x".repeat(pad)));
      if (token.length() == length) {
        return token;
      }
    }
    throw new AssertionError("no padding gives a token of exactly " + length + " characters");
  }

  /** Opens /ws with {@code query} as access_token and {@code authorization} as the header (either may be null). */
  private static Future<WebSocket> connect(String query, String authorization) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(NODES.port())
      .setURI("/ws" + (query == null ? "" : "?access_token=" + URLEncoder.encode(query, StandardCharsets.UTF_8)));
    if (authorization != null) {
      options.addHeader("Authorization", authorization);
    }
    return NODES.client().connect(options);
  }

  /** The session's {@code welcome}; the socket is closed after it. */
  private static JsonObject welcome(Future<WebSocket> connecting) throws Exception {
    CompletableFuture<JsonObject> first = new CompletableFuture<>();
    WebSocket socket = WsClient.await(connecting.onSuccess(ws ->
      ws.textMessageHandler(text -> first.complete(new JsonObject(text)))));
    try {
      JsonObject welcome = first.get(WsClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals("welcome", welcome.getString("type"), welcome.encode());
      return welcome;
    } finally {
      socket.close();
    }
  }

  private static UpgradeRejectedException refusal(Future<WebSocket> connecting) {
    try {
      WsClient.await(connecting).close();
    } catch (UpgradeRejectedException e) {
      return e;
    }
    throw new AssertionError("upgrade was accepted");
  }
}
