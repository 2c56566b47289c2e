package io.switchboard.signaling.http;

import io.switchboard.testing.Http;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.RawWebSocket;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/openapi.yaml is the HTTP API's contract: real requests to real nodes (one in development mode, one not),
 * errors included, and every answer's status and body checked against the document; every route of the edge's
 * router is documented and every documented path is there; every documented answer was seen, except the few
 * listed that no cheap request provokes.
 */
@DisplayName("docs/openapi.yaml: real answers of a real node match it, and it matches the router")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiContractTest {

  private static final Path SPEC = Path.of("docs/openapi.yaml");
  private static final Path ROUTER = Path.of("src/main/java/io/switchboard/signaling/http/EdgeVerticle.java");
  private static final String ALLOWED_ORIGIN = "https://meet.example.org";
  /** Documented answers no cheap request provokes here (each is a real branch of the code). */
  private static final Set<String> NOT_PROVOKED = Set.of(
    "get /health 503",                              // starting or draining: a window of milliseconds
    "get /api/rooms 500", "get /api/rooms/{room} 500", "delete /api/rooms/{room}/participants/{id} 500");

  private static OpenApiContract contract;
  private static TestNode dev;
  private static TestNode plain;
  private static Vertx vertx;
  private static WebSocketClient ws;

  @BeforeAll
  static void start() throws IOException {
    contract = OpenApiContract.load(SPEC);
    // development mode for /api/dev/token; an allowed origin for 403; a small upgrade budget for loopback (not
    // exempt here) for 429
    dev = TestNode.start(TestNode.development()
      .put("http", new JsonObject().put("allowedOrigins", new JsonArray().add(ALLOWED_ORIGIN))
        .put("exemptAddresses", new JsonArray()).put("upgradesPerSecondPerAddress", 1)
        .put("upgradeBurstPerAddress", 40)));
    // a small frame budget, so /api/limits has someone to list (Vert.x's client sends an Origin: not on dev)
    plain = TestNode.start(new JsonObject().put("limits", new JsonObject().put("rateFramesPerSecond", 1)
      .put("rateBurst", 1).put("rateAbuseSeconds", 3600)));
    vertx = Vertx.vertx();
    ws = WsClient.newClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    dev.close();
    plain.close();
  }

  private static void get(TestNode node, String template, String path, String bearer) {
    Http.Response response = Http.get(node.port(), path, bearer);
    contract.check("get", template, response.status(), response.body());
  }

  @Test
  @Order(1)
  @DisplayName("every route of EdgeVerticle.router() is documented, with its method, and nothing else is")
  void routerMatchesTheDocument() throws IOException {
    Map<String, Set<String>> routes = routes(Files.readString(ROUTER));
    Map<String, Set<String>> documented = contract.operations();
    assertEquals(routes.keySet(), documented.keySet(), "paths in the router vs docs/openapi.yaml");
    routes.forEach((path, methods) -> assertTrue(documented.get(path).containsAll(methods),
      path + ": router methods " + methods + ", documented " + documented.get(path)));
  }

  @Test
  @Order(2)
  @DisplayName("/health and /metrics")
  void node() {
    get(dev, "/health", "/health", null);
    get(plain, "/metrics", "/metrics", null);
    assertTrue(Metrics.scrape(plain.port()).contains("switchboard_sessions"));
  }

  @Test
  @Order(3)
  @DisplayName("/ws: 101, and 400, 401 (none, forged, admin), 403 (origin) before any socket opens")
  void upgrade() throws IOException {
    String room = TestNode.unique("contract");
    RawWebSocket.Handshake accepted = RawWebSocket.upgrade("127.0.0.1", dev.port(), dev.token("alice", room));
    accepted.socket().close();
    contract.check("get", "/ws", accepted.status(), null);
    RawWebSocket.Handshake forged = RawWebSocket.upgrade("127.0.0.1", dev.port(), dev.token("eve", room) + "x");
    contract.check("get", "/ws", forged.status(), forged.body());
    RawWebSocket.Handshake admin = RawWebSocket.upgrade("127.0.0.1", dev.port(), dev.adminToken());
    contract.check("get", "/ws", admin.status(), admin.body());
    get(dev, "/ws", "/ws", null);
    get(dev, "/ws", "/ws", dev.token("alice", room)); // a valid token, but no upgrade: 400
    Http.Response origin = Http.send(dev.port(), "GET", "/ws", Map.of("Origin", "https://evil.example"), null);
    contract.check("get", "/ws", origin.status(), origin.body());
    assertEquals(403, origin.status());
  }

  @Test
  @Order(4)
  @DisplayName("/api/ice-servers for any token; 401 without")
  void iceServers() {
    get(dev, "/api/ice-servers", "/api/ice-servers", dev.token("alice", "r"));
    get(dev, "/api/ice-servers", "/api/ice-servers", dev.adminToken());
    get(dev, "/api/ice-servers", "/api/ice-servers", null);
  }

  @Test
  @Order(5)
  @DisplayName("the admin API with members in a room, a rate-limited one among them; 400, 401, 403, 404")
  void admin() {
    String room = TestNode.unique("contract-admin");
    WsClient alice = WsClient.join(ws, plain.port(), plain.token("alice", room));
    WsClient bob = WsClient.join(ws, plain.port(), plain.token("bob", room, "viewer"));
    for (int i = 0; i < 5; i++) {
      bob.send(new JsonObject().put("type", "ping")); // over its frame budget: /api/limits lists bob
    }
    String admin = plain.adminToken();
    String participant = plain.token("alice", room);
    for (String token : new String[] {admin, participant, null, admin + "x"}) {
      get(plain, "/api/rooms", "/api/rooms", token);
      get(plain, "/api/rooms/{room}", "/api/rooms/" + room, token);
      get(plain, "/api/limits", "/api/limits", token);
      Http.Response kick = Http.delete(plain.port(), "/api/rooms/" + room + "/participants/nobody", token);
      contract.check("delete", "/api/rooms/{room}/participants/{id}", kick.status(), kick.body());
    }
    assertTrue(Http.get(plain.port(), "/api/limits", admin).json().getJsonArray("limited").size() > 0,
      "someone rate-limited, so the list's items are checked too");
    get(plain, "/api/rooms/{room}", "/api/rooms/" + TestNode.unique("empty"), admin);
    get(plain, "/api/rooms/{room}", "/api/rooms/not%20a%20room!", admin);
    Http.Response kicked = Http.delete(plain.port(), "/api/rooms/" + room + "/participants/" + bob.id(), admin);
    contract.check("delete", "/api/rooms/{room}/participants/{id}", kicked.status(), kicked.body());
    assertEquals(200, kicked.status());
    alice.close();
  }

  @Test
  @Order(6)
  @DisplayName("/api/dev/token: 200, 400 (not JSON, a wrong field), 413; 404 when development mode is off")
  void devToken() {
    String[] bodies = {"{\"identity\":\"alice\",\"room\":\"standup\",\"role\":\"viewer\",\"ttl\":60}",
      "not json", "{\"identity\":\"alice\",\"room\":\"no spaces\"}", "{\"identity\":\"" + "a".repeat(5000) + "\"}"};
    Set<Integer> statuses = new TreeSet<>();
    for (String body : bodies) {
      Http.Response response = Http.post(dev.port(), "/api/dev/token", null, body);
      contract.check("post", "/api/dev/token", response.status(), response.body());
      statuses.add(response.status());
    }
    assertEquals(Set.of(200, 400, 413), statuses);
    Http.Response off = Http.post(plain.port(), "/api/dev/token", null, bodies[0]);
    contract.check("post", "/api/dev/token", off.status(), off.body());
    assertEquals(404, off.status());
  }

  @Test
  @Order(7)
  @DisplayName("any other /api/ path: 404 with every method")
  void unknownApi() {
    for (String method : new String[] {"GET", "POST", "PUT", "DELETE"}) {
      Http.Response response = Http.send(plain.port(), method, "/api/nothing/here", Map.of(), null);
      contract.check(method, "/api/{unknown}", response.status(), response.body());
      assertEquals(404, response.status());
    }
  }

  @Test
  @Order(8)
  @DisplayName("/ws over the address's upgrade rate: 429 before the token is looked at")
  void rateLimited() {
    int status = 0;
    for (int i = 0; i < 200 && status != 429; i++) {
      Http.Response response = Http.get(dev.port(), "/ws", null);
      contract.check("get", "/ws", response.status(), response.body());
      status = response.status();
    }
    assertEquals(429, status);
  }

  @Test
  @Order(9)
  @DisplayName("every documented answer was seen, except those no cheap request provokes")
  void everyAnswerSeen() {
    Set<String> unseen = new TreeSet<>(contract.documentedResponses());
    unseen.removeAll(contract.covered());
    unseen.removeAll(NOT_PROVOKED);
    assertEquals(Set.of(), unseen, "documented answers no request of this test provoked");
  }

  private static final Pattern ROUTE =
    Pattern.compile("router\\.(get|post|put|delete|patch|route)\\(\"([^\"]+)\"\\)");

  /**
   * The router's routes with a path, read from EdgeVerticle's source ({@code router.get("/x")} and so on), as
   * OpenAPI paths: {@code :room} is {@code {room}}, the catch-all {@code /api/*} is {@code /api/{unknown}}.
   */
  static Map<String, Set<String>> routes(String source) {
    Map<String, Set<String>> routes = new TreeMap<>();
    Matcher m = ROUTE.matcher(source);
    while (m.find()) {
      String path = m.group(2).replaceAll(":(\\w+)", "{$1}").replace("/*", "/{unknown}");
      Set<String> methods = routes.computeIfAbsent(path, p -> new TreeSet<>());
      if (m.group(1).equals("route")) {
        methods.addAll(Set.of("get", "post", "put", "delete")); // any method
      } else {
        methods.add(m.group(1));
      }
    }
    assertTrue(routes.size() >= 9, "routes found in " + ROUTER + ": " + routes);
    return routes;
  }
}
