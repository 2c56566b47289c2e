package io.switchboard.signaling.it;

import io.switchboard.auth.TokenIssuer;
import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.Http;
import io.switchboard.testing.RawHttp;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("HTTP API (PROTOCOL.md section 8): health, metrics, ICE servers, admin, dev tokens, static files")
class HttpApiTest {

  private static final HttpClient RAW = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single(TestNode.development());

  private static TestNode node() {
    return NODES.node();
  }

  private static WsClient join(String identity, String room) {
    return WsClient.join(NODES.client(), node().port(), node().token(identity, room));
  }

  private static WsClient join(String identity, String room, String role) {
    return WsClient.join(NODES.client(), node().port(), node().token(identity, room, role));
  }

  /** A response with its headers, for the checks {@link Http} cannot make. */
  private static HttpResponse<String> raw(int port, String method, String path, String bearer, String body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
      .timeout(Duration.ofSeconds(10))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      builder.header("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      builder.header("Content-Type", "application/json");
    }
    try {
      return RAW.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("HTTP call failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  /** Asserts a JSON error answer: status, JSON content type, and {@code {"error":code,"message":...}}. */
  private static JsonObject assertJsonError(HttpResponse<String> response, int status, String code) {
    assertEquals(status, response.statusCode(), () -> "body: " + response.body());
    assertTrue(contentType(response).startsWith("application/json"), "content type: " + contentType(response));
    JsonObject body = new JsonObject(response.body());
    assertEquals(code, body.getString("error"), body.encode());
    assertFalse(body.getString("message", "").isEmpty(), "an error carries a human-readable message");
    return body;
  }

  private static String scrape() {
    return io.switchboard.testing.Metrics.scrape(node().port());
  }

  private static double metric(String text, String series) {
    return io.switchboard.testing.Metrics.value(text, series);
  }

  private static double metric(TestNode on, String series) {
    return metric(io.switchboard.testing.Metrics.scrape(on.port()), series);
  }

  private static JsonObject roomSummary(String room) {
    Http.Response rooms = Http.get(node().port(), "/api/rooms", node().adminToken());
    assertEquals(200, rooms.status(), rooms.body());
    for (Object entry : rooms.json().getJsonArray("rooms")) {
      if (room.equals(((JsonObject) entry).getString("room"))) {
        return (JsonObject) entry;
      }
    }
    return null;
  }

  @Nested
  @DisplayName("GET /health")
  class Health {

    @Test
    @DisplayName("200 with status UP and this node's id, as JSON")
    void up() {
      HttpResponse<String> response = raw(node().port(), "GET", "/health", null, null);
      assertEquals(200, response.statusCode());
      assertTrue(contentType(response).startsWith("application/json"), contentType(response));
      JsonObject body = new JsonObject(response.body());
      assertEquals("UP", body.getString("status"));
      assertEquals(node().node().nodeId(), body.getString("node"));
    }
  }

  @Nested
  @DisplayName("GET /metrics")
  class Metrics {

    @Test
    @DisplayName("Prometheus text format")
    void format() {
      HttpResponse<String> response = raw(node().port(), "GET", "/metrics", null, null);
      assertEquals(200, response.statusCode());
      assertTrue(contentType(response).startsWith("text/plain"), contentType(response));
      assertTrue(contentType(response).contains("version=0.0.4"), contentType(response));
      assertTrue(response.body().contains("# TYPE switchboard_sessions gauge"), "sessions gauge is exposed");
      assertTrue(response.body().contains("# TYPE switchboard_rooms gauge"), "rooms gauge is exposed");
    }

    @Test
    @DisplayName("relayed offers, bad-message errors and refused upgrades are counted; relay time is a histogram")
    void counters() {
      String room = TestNode.unique("room");
      String identity = TestNode.unique("metric-alice");
      String before = scrape();

      WsClient alice = join(identity, room);
      WsClient bob = join(TestNode.unique("metric-bob"), room);
      alice.expect("peer-joined");
      alice.send(new JsonObject().put("type", "offer").put("to", bob.id()).put("sdp", "v=0"));
      assertEquals(alice.id(), bob.expect("offer").getString("from"));
      alice.sendText("not json at all");
      alice.expectError("bad-message");
      String badSignature = new TokenIssuer("another-key-0123456789abcdefghijklmnopqrstuvwxyz")
        .sign(TokenIssuer.participantClaims("mallory", room, null, null, System.currentTimeMillis() / 1000, 600));
      UpgradeRejectedException refused = WsClient.refusal(NODES.client(), node().port(), badSignature);
      assertEquals(401, refused.getStatus());

      String after = scrape();
      assertEquals(1.0, metric(after, "switchboard_frames_relayed_total{type=\"offer\"}")
        - metric(before, "switchboard_frames_relayed_total{type=\"offer\"}"), "relayed offers");
      assertEquals(1.0, metric(after, "switchboard_errors_total{code=\"bad-message\"}")
        - metric(before, "switchboard_errors_total{code=\"bad-message\"}"), "bad-message errors");
      assertEquals(1.0, metric(after, "switchboard_auth_failures_total{reason=\"signature\"}")
        - metric(before, "switchboard_auth_failures_total{reason=\"signature\"}"), "refused upgrades (bad signature)");
      assertTrue(after.lines().anyMatch(l -> l.startsWith("switchboard_relay_time_seconds_bucket{le=")),
        "relay time histogram buckets");
      assertTrue(after.contains("switchboard_relay_time_seconds_bucket{le=\"+Inf\"}"), "+Inf bucket");
      assertTrue(metric(after, "switchboard_relay_time_seconds_count")
        > metric(before, "switchboard_relay_time_seconds_count"), "relay time _count grows");
      assertTrue(metric(after, "switchboard_relay_time_seconds_bucket{le=\"+Inf\"}")
        == metric(after, "switchboard_relay_time_seconds_count"), "+Inf bucket equals _count");

      // label values come from closed sets: no room, identity or session id ever becomes a label
      for (String secretish : new String[] {room, identity, alice.id(), bob.id(), "mallory"}) {
        assertFalse(after.contains(secretish), "metrics text contains " + secretish);
      }
      alice.close();
      bob.close();
    }

    @Test
    @DisplayName("switchboard_sessions and switchboard_rooms follow sessions opening and closing")
    void gauges() throws Exception {
      // its own node: on the shared one, sockets of earlier tests may still be closing and move the gauges
      try (TestNode quiet = TestNode.start(new JsonObject().put("rooms",
        new JsonObject().put("gracePeriodSeconds", 1)))) {
        DoubleSupplier sessions = () -> metric(quiet, "switchboard_sessions");
        DoubleSupplier rooms = () -> metric(quiet, "switchboard_rooms");
        assertEquals(0.0, sessions.getAsDouble());
        assertEquals(0.0, rooms.getAsDouble());

        String room = TestNode.unique("room");
        WsClient alice = WsClient.join(NODES.client(), quiet.port(), quiet.token("gauge-a", room));
        WsClient bob = WsClient.join(NODES.client(), quiet.port(), quiet.token("gauge-b", room));
        assertEquals(2.0, sessions.getAsDouble(), "two sessions opened");
        assertEquals(1.0, rooms.getAsDouble(), "one room opened");
        assertEquals(2, (int) Http.get(quiet.port(), "/health", null).json().getInteger("sessions"),
          "/health counts the same sessions");

        alice.close();
        bob.close();
        alice.awaitClose();
        bob.awaitClose();
        assertEquals(0.0, io.switchboard.testing.Metrics.awaitValue(rooms, 0.0, 3000),
          "the room is gone once both left");
        assertEquals(0.0, io.switchboard.testing.Metrics.awaitValue(sessions, 0.0, 3000),
          "switchboard_sessions returns to zero once both closed");
      }
    }
  }

  @Nested
  @DisplayName("GET /api/ice-servers")
  class IceServersEndpoint {

    @Test
    @DisplayName("401 JSON without Authorization")
    void noToken() {
      assertJsonError(raw(node().port(), "GET", "/api/ice-servers", null, null), 401, "unauthorized");
    }

    @Test
    @DisplayName("401 JSON with a bad token")
    void badToken() {
      assertJsonError(raw(node().port(), "GET", "/api/ice-servers", "not-a-jwt", null), 401, "unauthorized");
      long now = System.currentTimeMillis() / 1000;
      String expired = node().sign(TokenIssuer.participantClaims("ice", "r", null, null, now - 7200, 60));
      assertJsonError(raw(node().port(), "GET", "/api/ice-servers", expired, null), 401, "unauthorized");
    }

    @Test
    @DisplayName("200 with a participant token: iceServers whose TURN username ends with :<sub>")
    void participant() {
      String identity = TestNode.unique("ice-user");
      String token = node().token(identity, TestNode.unique("room"));
      HttpResponse<String> response = raw(node().port(), "GET", "/api/ice-servers", token, null);
      assertEquals(200, response.statusCode(), response.body());
      assertTrue(contentType(response).startsWith("application/json"), contentType(response));
      JsonArray servers = new JsonObject(response.body()).getJsonArray("iceServers");
      assertNotNull(servers);
      JsonObject turn = servers.stream().map(JsonObject.class::cast).filter(s -> s.containsKey("username"))
        .findFirst().orElseThrow(() -> new AssertionError("no TURN entry in " + servers));
      assertTrue(turn.getString("username").endsWith(":" + identity), turn.encode());
      assertEquals(io.switchboard.ice.IceServers.restCredential(TestNode.TURN_KEY, turn.getString("username")),
        turn.getString("credential"));
      assertEquals(new JsonArray().add("turn:127.0.0.1:3478?transport=udp"), turn.getJsonArray("urls"));
    }
  }

  @Nested
  @DisplayName("admin API")
  class Admin {

    @Test
    @DisplayName("GET /api/rooms: 401 without a token, 403 with a participant token")
    void listRequiresAdmin() {
      assertJsonError(raw(node().port(), "GET", "/api/rooms", null, null), 401, "unauthorized");
      assertJsonError(raw(node().port(), "GET", "/api/rooms", "garbage", null), 401, "unauthorized");
      assertJsonError(raw(node().port(), "GET", "/api/rooms", node().token("someone", TestNode.unique("room")), null),
        403, "forbidden");
      String room = TestNode.unique("room");
      assertJsonError(raw(node().port(), "GET", "/api/rooms/" + room, null, null), 401, "unauthorized");
      assertJsonError(raw(node().port(), "GET", "/api/rooms/" + room, node().token("x", room), null), 403, "forbidden");
      assertJsonError(raw(node().port(), "DELETE", "/api/rooms/" + room + "/participants/abc", node().token("x", room),
        null), 403, "forbidden");
      assertJsonError(raw(node().port(), "DELETE", "/api/rooms/" + room + "/participants/abc", null, null),
        401, "unauthorized");
    }

    @Test
    @DisplayName("GET /api/rooms lists a populated room with participant, publisher and viewer counts")
    void listRooms() {
      String room = TestNode.unique("room");
      WsClient p1 = join("p1", room);
      WsClient p2 = join("p2", room);
      WsClient v1 = join("v1", room, "viewer");
      HttpResponse<String> response = raw(node().port(), "GET", "/api/rooms", node().adminToken(), null);
      assertEquals(200, response.statusCode(), response.body());
      assertTrue(contentType(response).startsWith("application/json"), contentType(response));
      assertEquals(new JsonObject().put("room", room).put("participants", 3).put("publishers", 2).put("viewers", 1),
        roomSummary(room));
      p1.close();
      p2.close();
      v1.close();
    }

    @Test
    @DisplayName("GET /api/rooms/{room} lists participants with id, identity, name, role, meta and node")
    void describeRoom() {
      String room = TestNode.unique("room");
      long now = System.currentTimeMillis() / 1000;
      WsClient alice = WsClient.join(NODES.client(), node().port(), node().sign(new JsonObject().put("sub", "alice")
        .put("room", room).put("exp", now + 600).put("name", "Alice A.").put("meta", new JsonObject().put("k", 1))));
      WsClient viewer = join("vic", room, "viewer");

      Http.Response response = Http.get(node().port(), "/api/rooms/" + room, node().adminToken());
      assertEquals(200, response.status(), response.body());
      JsonObject body = response.json();
      assertEquals(room, body.getString("room"));
      Map<String, JsonObject> byId = new HashMap<>();
      body.getJsonArray("participants").forEach(p -> byId.put(((JsonObject) p).getString("id"), (JsonObject) p));
      assertEquals(2, byId.size(), body.encode());
      assertEquals(new JsonObject().put("id", alice.id()).put("identity", "alice").put("name", "Alice A.")
        .put("role", "publisher").put("meta", new JsonObject().put("k", 1)).put("node", node().node().nodeId())
        .put("state", "connected"), byId.get(alice.id()));
      assertEquals(new JsonObject().put("id", viewer.id()).put("identity", "vic").put("name", "vic")
        .put("role", "viewer").put("meta", new JsonObject()).put("node", node().node().nodeId())
        .put("state", "connected"), byId.get(viewer.id()));
      alice.close();
      viewer.close();
    }

    @Test
    @DisplayName("GET /api/rooms/{room}: 404 for an empty room, 400 for an invalid room name")
    void describeErrors() {
      assertJsonError(raw(node().port(), "GET", "/api/rooms/" + TestNode.unique("room"), node().adminToken(), null),
        404, "not-found");
      assertJsonError(raw(node().port(), "GET", "/api/rooms/bad%20name", node().adminToken(), null), 400,
        "bad-request");
      assertJsonError(raw(node().port(), "GET", "/api/rooms/" + "x".repeat(65), node().adminToken(), null),
        400, "bad-request");
    }

    @Test
    @DisplayName("DELETE /api/rooms/{room}/participants/{id} kicks: 4002 for the kicked,"
      + " peer-left kicked for the others")
    void kick() {
      String room = TestNode.unique("room");
      WsClient alice = join("alice", room);
      WsClient bob = join("bob", room);
      WsClient viewer = join("vera", room, "viewer");
      alice.expect("peer-joined");
      alice.expect("peer-joined");
      bob.expect("peer-joined");

      String path = "/api/rooms/" + room + "/participants/" + bob.id();
      HttpResponse<String> response = raw(node().port(), "DELETE", path, node().adminToken(), null);
      assertEquals(200, response.statusCode(), response.body());
      assertTrue(contentType(response).startsWith("application/json"), contentType(response));

      assertEquals(4002, bob.awaitClose(), "a kicked session is closed with 4002");
      JsonObject kicked = new JsonObject().put("type", "peer-left").put("id", bob.id()).put("reason", "kicked");
      assertEquals(kicked, alice.next());
      assertEquals(kicked, viewer.next());

      JsonObject listing = Http.get(node().port(), "/api/rooms/" + room, node().adminToken()).json();
      assertEquals(2, listing.getJsonArray("participants").size(), listing.encode());
      assertFalse(listing.encode().contains(bob.id()), "the kicked session is no longer listed");
      assertEquals(2, roomSummary(room).getInteger("participants"));

      assertJsonError(raw(node().port(), "DELETE", path, node().adminToken(), null), 404, "not-found");
      String inAnotherRoom = "/api/rooms/" + TestNode.unique("room") + "/participants/" + alice.id();
      assertJsonError(raw(node().port(), "DELETE", inAnotherRoom, node().adminToken(), null), 404, "not-found");

      // the survivors still talk to each other
      viewer.send(new JsonObject().put("type", "message").put("to", alice.id()).put("data", "still here"));
      assertEquals("still here", alice.expect("message").getString("data"));
      // the kicked socket's close announced nothing more: the next change the survivors hear of is a later one
      WsClient carol = join("carol", room);
      for (WsClient survivor : new WsClient[] {alice, viewer}) {
        assertEquals(carol.id(), survivor.expect("peer-joined").getJsonObject("peer").getString("id"));
      }
      carol.close();
      alice.close();
      viewer.close();
    }
  }

  @Nested
  @DisplayName("POST /api/dev/token")
  class DevTokens {

    @Test
    @DisplayName("a valid body gives a token that joins with that identity, role and name")
    void issues() {
      String room = TestNode.unique("room");
      WsClient host = join("host", room);
      Http.Response response = Http.post(node().port(), "/api/dev/token", null,
        new JsonObject().put("identity", "dev-viewer").put("room", room).put("role", "viewer").put("name", "Dev V.")
          .encode());
      assertEquals(200, response.status(), response.body());
      String token = response.json().getString("token");
      assertNotNull(token);

      WsClient viewer = WsClient.join(NODES.client(), node().port(), token);
      JsonObject welcome = viewer.welcome();
      assertEquals("dev-viewer", welcome.getString("identity"));
      assertEquals("viewer", welcome.getString("role"));
      assertEquals(room, welcome.getString("room"));
      assertEquals(new JsonObject().put("id", viewer.id()).put("identity", "dev-viewer").put("name", "Dev V.")
        .put("role", "viewer").put("meta", new JsonObject()), host.expect("peer-joined").getJsonObject("peer"));

      // role defaults to publisher; the token never grants admin
      Http.Response publisher = Http.post(node().port(), "/api/dev/token", null,
        new JsonObject().put("identity", "dev-pub").put("room", room).put("admin", true).put("ttl", 60).encode());
      assertEquals(200, publisher.status(), publisher.body());
      String pubToken = publisher.json().getString("token");
      WsClient pub = WsClient.join(NODES.client(), node().port(), pubToken);
      assertEquals("publisher", pub.welcome().getString("role"));
      assertEquals(2, pub.welcome().getJsonArray("peers").size(), "a publisher sees the host and the viewer");
      assertEquals(403, Http.get(node().port(), "/api/rooms", pubToken).status(), "a dev token is not an admin token");
      host.close();
      viewer.close();
      pub.close();
    }

    @Test
    @DisplayName("invalid bodies are refused with 400 JSON")
    void invalid() {
      String room = TestNode.unique("room");
      String[] bodies = {
        "not json",
        "",
        "[1,2]",
        new JsonObject().put("room", room).encode(),
        new JsonObject().put("identity", "").put("room", room).encode(),
        new JsonObject().put("identity", 42).put("room", room).encode(),
        new JsonObject().put("identity", "x".repeat(129)).put("room", room).encode(),
        new JsonObject().put("identity", "ok").encode(),
        new JsonObject().put("identity", "ok").put("room", "bad room").encode(),
        new JsonObject().put("identity", "ok").put("room", "x".repeat(65)).encode(),
        new JsonObject().put("identity", "ok").put("room", room).put("role", "admin").encode(),
        new JsonObject().put("identity", "ok").put("room", room).put("role", 1).encode(),
        new JsonObject().put("identity", "ok").put("room", room).put("ttl", 0).encode(),
        new JsonObject().put("identity", "ok").put("room", room).put("ttl", -5).encode(),
        new JsonObject().put("identity", "ok").put("room", room).put("ttl", 100_000).encode(),
        new JsonObject().put("identity", "ok").put("room", room).put("ttl", "60").encode(),
        new JsonObject().put("identity", "ok").put("room", room).put("name", "n".repeat(200)).encode(),
        new JsonObject().put("identity", "ok").put("room", room).put("name", 7).encode(),
      };
      for (String body : bodies) {
        HttpResponse<String> response = raw(node().port(), "POST", "/api/dev/token", null, body);
        assertEquals(400, response.statusCode(), () -> "body " + body + " got " + response.body());
        assertJsonError(response, 400, "bad-request");
      }
    }

    @Test
    @DisplayName("on a node that checks issuer and audience, development tokens carry both and are accepted")
    void scopedByIssuerAndAudience() throws Exception {
      try (TestNode scoped = TestNode.start(new JsonObject().put("auth", new JsonObject().put("devTokens", true)
        .put("issuer", "https://auth.test").put("audience", "switchboard")))) {
        HttpResponse<String> response = raw(scoped.port(), "POST", "/api/dev/token", null,
          new JsonObject().put("identity", "scoped").put("room", TestNode.unique("room")).encode());
        assertEquals(200, response.statusCode(), response.body());
        String token = new JsonObject(response.body()).getString("token");
        assertEquals("scoped", WsClient.join(NODES.client(), scoped.port(), token).welcome().getString("identity"));
      }
    }

    @Test
    @DisplayName("with devTokens off the endpoint does not exist (404), and the demo page is still served")
    void disabled() throws Exception {
      JsonObject devTokensOff = new JsonObject().put("auth", new JsonObject().put("devTokens", false));
      try (TestNode production = TestNode.start(devTokensOff)) {
        assertJsonError(raw(production.port(), "POST", "/api/dev/token", null,
          new JsonObject().put("identity", "x").put("room", "r").encode()), 404, "not-found");
        HttpResponse<String> page = raw(production.port(), "GET", "/", null, null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>Switchboard demo</title>"), "demo page served");
      }
    }
  }

  @Nested
  @DisplayName("static files and unknown paths")
  class Static {

    /** Ways to spell one step up: plain, percent-encoded, with a backslash, double-encoded, overlong UTF-8. */
    private static final List<String> PARENT = List.of("../", "..%2f", "..%2F", "%2e%2e%2f", "%2E%2E/", ".%2e/",
      "%2e./", "..%5c", "..\\", "%2e%2e%5c", "%252e%252e%252f", "..%252f", "..%c0%af");

    @Test
    @DisplayName("GET / serves the demo page")
    void index() {
      HttpResponse<String> page = raw(node().port(), "GET", "/", null, null);
      assertEquals(200, page.statusCode());
      assertTrue(contentType(page).startsWith("text/html"), contentType(page));
      assertTrue(page.body().contains("<title>Switchboard demo</title>"), "page title");
    }

    @Test
    @DisplayName("GET /switchboard.js serves the SDK as JavaScript")
    void sdk() {
      HttpResponse<String> js = raw(node().port(), "GET", "/switchboard.js", null, null);
      assertEquals(200, js.statusCode());
      assertTrue(contentType(js).contains("javascript"), contentType(js));
      assertTrue(js.body().contains("SwitchboardClient"), "the SDK source");
    }

    @Test
    @DisplayName("an unknown /api path is a 404 JSON error, whatever the method")
    void unknownApi() {
      assertJsonError(raw(node().port(), "GET", "/api/nope", null, null), 404, "not-found");
      assertJsonError(raw(node().port(), "POST", "/api/rooms", node().adminToken(), "{}"), 404, "not-found");
      assertJsonError(raw(node().port(), "DELETE", "/api/rooms/x", node().adminToken(), null), 404, "not-found");
    }

    @Test
    @DisplayName("an unknown static path is a 404")
    void unknownStatic() {
      assertEquals(404, raw(node().port(), "GET", "/no-such-file.html", null, null).statusCode());
    }

    @Test
    @DisplayName("a relative webroot: pom.xml one directory above it is not served, however ../ is spelled")
    void traversalFromRelativeWebroot() throws IOException {
      // TestNode serves webroot/ of the working directory
      Path above = Path.of("webroot").toAbsolutePath().getParent();
      // without a real file up there, a traversal would be a 404 with or without the protection
      String pom = Files.readString(above.resolve("pom.xml"));
      assertTrue(pom.contains("<artifactId>"), "pom.xml one level above the webroot");
      Http.Response served = RawHttp.get("127.0.0.1", node().port(), "/switchboard.js");
      assertEquals(200, served.status(), "a file inside the webroot is served");
      for (String up : PARENT) {
        assertNotServed(node().port(), "/" + up + "pom.xml", "<artifactId>");
      }
    }

    @Test
    @DisplayName("an absolute webroot (FileSystemAccess.ROOT): files one or two levels above it, or named by"
      + " an absolute path, are not served")
    void traversalFromAbsoluteWebroot(@TempDir Path dir) throws Exception {
      Path webroot = Files.createDirectories(dir.resolve("site").resolve("public"));
      Files.writeString(webroot.resolve("index.html"), "<p>public page</p>");
      Path oneUp = Files.writeString(dir.resolve("site").resolve("secret.txt"), "one-level-up-secret");
      Path twoUp = Files.writeString(dir.resolve("secret.txt"), "two-levels-up-secret");
      try (TestNode absolute = TestNode.start(new JsonObject().put("http",
        new JsonObject().put("webroot", webroot.toAbsolutePath().toString())))) {
        Http.Response page = RawHttp.get("127.0.0.1", absolute.port(), "/index.html");
        assertEquals(200, page.status(), "a file inside the absolute webroot is served");
        assertEquals("<p>public page</p>", page.body());
        for (String up : PARENT) {
          assertNotServed(absolute.port(), "/" + up + "secret.txt", "one-level-up-secret");
          assertNotServed(absolute.port(), "/" + up + up + "secret.txt", "two-levels-up-secret");
        }
        // FileSystemAccess.ROOT accepts any absolute root: an absolute path in the request must not become one
        for (Path secret : List.of(oneUp, twoUp)) {
          String absolutePath = secret.toAbsolutePath().toString();
          assertNotServed(absolute.port(), "/" + absolutePath, "-secret");
          assertNotServed(absolute.port(), "/" + absolutePath.replace("/", "%2f"), "-secret");
        }
      }
    }

    /** Asserts that {@code path} is answered 404 without the contents of the file outside the webroot. */
    private static void assertNotServed(int port, String path, String contents) {
      Http.Response response = RawHttp.get("127.0.0.1", port, path);
      assertFalse(response.body().contains(contents), () -> "GET " + path + " served a file outside the webroot");
      assertEquals(404, response.status(), () -> "GET " + path + ": " + response.body());
    }
  }
}
