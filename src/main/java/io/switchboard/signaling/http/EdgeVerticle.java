package io.switchboard.signaling.http;

import io.switchboard.auth.AuthClient;
import io.switchboard.auth.AuthFailureException;
import io.switchboard.auth.Claims;
import io.switchboard.auth.TokenIssuer;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.auth.TokenKind;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.ice.IceServers;
import io.switchboard.relay.policy.TurnRestAuthenticator;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.Role;
import io.switchboard.signaling.session.Ids;
import io.switchboard.signaling.session.SessionSocket;
import io.switchboard.signaling.session.SignalingSession;
import io.switchboard.tls.PemMaterial;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The HTTP/WebSocket edge: authenticates upgrades, owns the sessions opened on its event loop, and serves the
 * HTTP API and the browser client. Deployed once per event loop; all instances share the port.
 */
public final class EdgeVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(EdgeVerticle.class.getName());
  private static final long DEV_TOKEN_DEFAULT_TTL = 3600;
  private static final long DEV_TOKEN_MAX_TTL = 86_400;
  private static final long LIMITED_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final EdgeServices services;
  private final SwitchboardConfig config;
  private final Set<SignalingSession> sessions = new HashSet<>();
  private AuthClient auth;
  private ConnectionGuard guard;
  private WebSocketUpgrade webSockets;
  private HttpServer server;
  /** Null when the port serves plain HTTP. */
  private EdgeTls tls;
  /** One-port mode's listener on the private Unix socket (plain: the one-port listener took the TLS off); null when
   * the mode is off. */
  private HttpServer internalServer;
  private long livenessTimer;

  public EdgeVerticle(EdgeServices services) {
    this.services = services;
    this.config = services.config();
  }

  @Override
  public Future<?> start() {
    auth = new AuthClient(new TokenVerifier(vertx, config.auth(), Clock.systemUTC()));
    long intervalNanos = TimeUnit.SECONDS.toNanos(config.limits().pingIntervalSeconds());
    livenessTimer = vertx.setPeriodic(TimeUnit.NANOSECONDS.toMillis(intervalNanos), id -> checkLiveness(intervalNanos));
    guard = new ConnectionGuard(vertx, services.connectionLimits(), services.httpLimitMetrics(), config.http());
    guard.start();
    webSockets = new WebSocketUpgrade(config.limits().hardFrameBytes());
    HttpServerOptions options = serverOptions();
    if (services.tls() != null) {
      tls = new EdgeTls(services.tls(), config.http().headerTimeoutSeconds());
      tls.configure(options);
    }
    Router router = router();
    server = vertx.createHttpServer(options);
    if (tls != null) {
      tls.follow(context, server);
    }
    Future<?> listening = server.connectionHandler(guard::accept).requestHandler(router)
      .listen(config.http().port(), config.http().host());
    if (services.internalHttpSocket() == null) {
      return listening;
    }
    // one-port mode: the same routes and limits for the connections its listener hands over, whose PROXY header
    // names the browser (so the per-address limits apply to it, not to this node)
    internalServer = vertx.createHttpServer(serverOptions().setUseProxyProtocol(true));
    return listening.compose(v -> internalServer.connectionHandler(guard::accept).requestHandler(router)
      .listen(SocketAddress.domainSocketAddress(services.internalHttpSocket().toString())));
  }

  /** Closes this loop's sessions with 1001 and stops listening. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(livenessTimer);
    guard.stop();
    if (tls != null) {
      tls.stop();
    }
    List.copyOf(sessions).forEach(SignalingSession::shutdown);
    return internalServer == null ? server.close() : Future.all(server.close(), internalServer.close());
  }

  private HttpServerOptions serverOptions() {
    // the other WebSocket settings are in WebSocketUpgrade: Vert.x parses the upgrade request, Netty does the rest
    return new HttpServerOptions()
      // with either on, Vert.x puts a WebSocket extension handler in every HTTP pipeline, and it would offer
      // compression in the 101 that Netty's handshaker writes; a deflater costs hundreds of KiB per socket
      .setPerMessageWebSocketCompressionSupported(false)
      .setPerFrameWebSocketCompressionSupported(false)
      // HTTP connections are touched only on their own event loop: Vert.x then writes directly instead of giving
      // each connection a multi-producer queue
      .setStrictThreadMode(true)
      // room for an access_token in the query string
      .setMaxInitialLineLength(TokenVerifier.MAX_TOKEN_LENGTH + 1024)
      // and for one in the Authorization header, on top of a browser's usual headers
      .setMaxHeaderSize(HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + TokenVerifier.MAX_TOKEN_LENGTH)
      // HTTP/1.1 only: with h2c on, Vert.x reports a connection only once its first bytes arrive, so a
      // socket that sends nothing would escape the header timeout and the per-address cap
      .setHttp2ClearTextEnabled(false);
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(guard);
    router.route().handler(new AccessLog());
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(this::metrics);
    router.get("/ws").handler(this::upgrade);
    router.get("/api/ice-servers").handler(this::iceServers);
    router.get("/api/rooms").handler(this::listRooms);
    router.get("/api/rooms/:room").handler(this::describeRoom);
    router.get("/api/limits").handler(this::limited);
    router.delete("/api/rooms/:room/participants/:id").handler(this::kick);
    if (config.auth().devTokens()) {
      router.post("/api/dev/token").handler(BodyHandler.create(false).setBodyLimit(4096)).handler(this::devToken);
    }
    router.route("/api/*").handler(ctx -> error(ctx, 404, "not-found", "no such endpoint"));
    router.route().method(HttpMethod.GET).handler(staticFiles());
    router.errorHandler(500, ctx -> {
      LOG.log(System.Logger.Level.ERROR, "request failed: " + ctx.request().path(), ctx.failure());
      error(ctx, 500, "internal", "internal error");
    });
    return router;
  }

  /** Serves webroot/ from the working directory when present (development), else the copy inside the jar. */
  private StaticHandler staticFiles() {
    Path webroot = Path.of(config.http().webroot());
    if (!Files.isDirectory(webroot)) {
      return StaticHandler.create("webroot").setCachingEnabled(false);
    }
    // StaticHandler takes relative roots only unless told that the whole file system may be served from
    FileSystemAccess access = webroot.isAbsolute() ? FileSystemAccess.ROOT : FileSystemAccess.RELATIVE;
    return StaticHandler.create(access, webroot.toString()).setCachingEnabled(false);
  }

  // ---- HTTP endpoints ----

  private void health(RoutingContext ctx) {
    NodeState.Phase phase = services.state().phase();
    JsonObject body = new JsonObject()
      .put("status", phase == NodeState.Phase.UP ? "UP" : phase.name())
      .put("node", services.sessions().nodeId())
      .put("sessions", services.sessions().metrics().openSessions())
      .put("uptimeSeconds", (System.currentTimeMillis() - services.state().startedAtMillis()) / 1000);
    body.put("cluster", clusterHealth());
    body.put("tls", tlsHealth());
    json(ctx, phase == NodeState.Phase.UP ? 200 : 503, body);
  }

  private JsonObject clusterHealth() {
    int members = services.state().clusterMemberCount();
    if (members < 0) {
      return new JsonObject().put("enabled", false);
    }
    JsonObject cluster = new JsonObject().put("enabled", true).put("members", members)
      .put("tls", services.state().clusterTls());
    if (!services.state().clusterTls()) {
      cluster.put("warning", "cluster.insecure: the event bus between members has no TLS and no authentication");
    }
    return cluster;
  }

  /** The certificate the HTTP port serves now (after any reload): what a client's handshake would show anyway. */
  private JsonObject tlsHealth() {
    if (services.tls() == null) {
      return new JsonObject().put("enabled", false);
    }
    PemMaterial pair = services.tls().current();
    return new JsonObject().put("enabled", true)
      .put("subject", pair.leaf().getSubjectX500Principal().getName())
      .put("notAfter", pair.notAfter().toString())
      .put("sha256", pair.fingerprint());
  }

  private void metrics(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
      .end(services.sessions().metrics().scrape());
  }

  private void iceServers(RoutingContext ctx) {
    auth.verify(bearer(ctx.request()), TokenKind.ANY).onComplete(ar -> {
      if (ar.failed()) {
        unauthorized(ctx, ar.cause());
      } else {
        IceServers.Issued issued = issueIceServers(ar.result());
        // answered once the credential's room is recorded: the relay of any member must find it
        bound(issued, ar.result()).onComplete(v -> json(ctx, 200, new JsonObject().put("iceServers",
          issued.iceServers())));
      }
    });
  }

  private void listRooms(RoutingContext ctx) {
    asAdmin(ctx, () -> services.sessions().rooms().describeRooms().onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        json(ctx, 200, new JsonObject().put("rooms", ar.result()));
      }
    }));
  }

  private void describeRoom(RoutingContext ctx) {
    String room = ctx.pathParam("room");
    asAdmin(ctx, () -> {
      if (!TokenVerifier.ROOM_NAME.matcher(room).matches()) {
        error(ctx, 400, "bad-request", "invalid room name");
        return;
      }
      services.sessions().rooms().describeRoom(room).onComplete(ar -> {
        if (ar.failed()) {
          ctx.fail(ar.cause());
        } else if (ar.result() == null) {
          error(ctx, 404, "not-found", "no participants in that room");
        } else {
          JsonObject view = ar.result();
          services.turnUsage().roomUsage(room).onComplete(usage -> json(ctx, 200,
            view.put("turnUsage", usage.succeeded() ? usage.result() : null)));
        }
      });
    });
  }

  /** Who this node is rate-limiting now: participants with something dropped in the last minute. */
  private void limited(RoutingContext ctx) {
    asAdmin(ctx, () -> json(ctx, 200, new JsonObject().put("node", services.sessions().nodeId())
      .put("limited", services.sessions().participantLimits().limited(services.sessions().nanoClock().getAsLong(),
        LIMITED_WINDOW_NANOS))));
  }

  private void kick(RoutingContext ctx) {
    String room = ctx.pathParam("room");
    String id = ctx.pathParam("id");
    asAdmin(ctx, () -> services.sessions().rooms().kick(room, id).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result()) {
        json(ctx, 200, new JsonObject().put("kicked", id).put("room", room));
      } else {
        error(ctx, 404, "not-found", "no such participant in that room");
      }
    }));
  }

  private void devToken(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null) {
      error(ctx, 400, "bad-request", "body must be a JSON object {identity, room, role?, name?, ttl?}");
      return;
    }
    String problem = devTokenProblem(body);
    if (problem != null) {
      error(ctx, 400, "bad-request", problem);
      return;
    }
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = TokenIssuer.participantClaims(body.getString("identity"), body.getString("room"),
      body.getString("role", "publisher"), body.getString("name"), now, body.getLong("ttl", DEV_TOKEN_DEFAULT_TTL));
    TokenIssuer.scope(claims, config.auth()); // so the token passes this node's issuer/audience checks
    String token = new TokenIssuer(config.auth().hs256Secrets().get(0)).sign(claims);
    json(ctx, 200, new JsonObject().put("token", token));
  }

  /** The first field of a dev-token request that is wrong, as a message for the client; null if none is. */
  private static String devTokenProblem(JsonObject body) {
    return Stream.of(identityProblem(body.getValue("identity")), roomProblem(body.getValue("room")),
        roleProblem(body.getValue("role")), nameProblem(body.getValue("name")), ttlProblem(body.getValue("ttl")))
      .filter(Objects::nonNull).findFirst().orElse(null);
  }

  private static String identityProblem(Object identity) {
    if (!(identity instanceof String s) || s.isEmpty() || s.length() > TokenVerifier.MAX_SUBJECT_LENGTH) {
      return "identity must be 1-" + TokenVerifier.MAX_SUBJECT_LENGTH + " characters";
    }
    return null;
  }

  private static String roomProblem(Object room) {
    if (!(room instanceof String r) || !TokenVerifier.ROOM_NAME.matcher(r).matches()) {
      return "room must be 1-64 characters of A-Z a-z 0-9 _ . -";
    }
    return null;
  }

  /** Optional: publisher (the default) or viewer. */
  private static String roleProblem(Object role) {
    if (role != null && !"publisher".equals(role) && !"viewer".equals(role)) {
      return "role must be publisher or viewer";
    }
    return null;
  }

  /** Optional. */
  private static String nameProblem(Object name) {
    if (name != null && (!(name instanceof String n) || n.length() > TokenVerifier.MAX_NAME_LENGTH)) {
      return "name must be a string of at most " + TokenVerifier.MAX_NAME_LENGTH + " characters";
    }
    return null;
  }

  /** Optional: seconds, {@value #DEV_TOKEN_DEFAULT_TTL} if absent. */
  private static String ttlProblem(Object ttl) {
    if (ttl != null && (!(ttl instanceof Number t) || t.longValue() < 1 || t.longValue() > DEV_TOKEN_MAX_TTL)) {
      return "ttl must be 1-" + DEV_TOKEN_MAX_TTL + " seconds";
    }
    return null;
  }

  // ---- WebSocket upgrade ----

  private void upgrade(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!guard.tryUpgrade(ctx)) {
      rateLimited(ctx);
      return;
    }
    if (!originAllowed(request.getHeader("Origin"))) {
      error(ctx, 403, "forbidden", "origin not allowed");
      return;
    }
    String token = bearer(request);
    if (token == null) {
      token = request.getParam("access_token");
    }
    auth.verify(token, TokenKind.PARTICIPANT).onComplete(ar -> {
      if (ar.failed()) {
        // a refused upgrade is not followed by more requests; do not keep the connection around
        ctx.response().putHeader("Connection", "close");
        unauthorized(ctx, ar.cause());
        return;
      }
      if (!request.canUpgradeToWebSocket()) {
        // a plain GET /ws gets the API's JSON error, like every other refusal
        error(ctx, 400, "bad-request", "expected a WebSocket upgrade");
        return;
      }
      NettySessionSocket socket = webSockets.accept(request);
      if (socket == null) {
        if (!ctx.response().ended()) {
          error(ctx, 400, "bad-request", "expected a WebSocket upgrade");
        }
        return;
      }
      AccessLog.upgraded(ctx);
      openSession(socket, ar.result(), request.getParam("resume"), guard.upgraded(ctx));
    });
  }

  /** Before the token is even checked: an address over its upgrade rate costs no signature verification. */
  private static void rateLimited(RoutingContext ctx) {
    ctx.response().putHeader("Connection", "close").putHeader("Retry-After", "1");
    error(ctx, 429, "rate-limited", "too many WebSocket connections from this address; retry in a second");
  }

  private boolean originAllowed(String origin) {
    List<String> allowed = config.http().allowedOrigins();
    // no Origin: not a browser, so no cross-site risk; the token still decides
    return allowed.isEmpty() || origin == null || allowed.contains(origin);
  }

  /**
   * @param resumeToken the {@code resume} query parameter: the session asks to be resumed (null: a new session)
   * @param onClosed runs when the socket closes (it hands the connection's slot back)
   */
  private void openSession(SessionSocket socket, Claims claims, String resumeToken, Runnable onClosed) {
    Participant participant = new Participant(Ids.sessionId(), claims.room(), claims.subject(), claims.name(),
      Role.of(claims.role()), claims.meta(), services.sessions().nodeId());
    SignalingSession session = new SignalingSession(socket, participant, services.sessions(),
      issueIceServers(claims), resumeToken);
    sessions.add(session);
    session.start(() -> {
      sessions.remove(session);
      onClosed.run();
    });
  }

  /**
   * Fresh {@code iceServers} for {@code claims}, their TURN credential's room recorded (the relays account its usage to
   * that room); the welcome goes out after a presence round trip, by when the record has long landed.
   */
  private IceServers.Issued issueIceServers(Claims claims) {
    IceServers.Issued issued = services.iceServers().issue(claims.subject(), claims.expiresAtEpochSeconds());
    bound(issued, claims);
    return issued;
  }

  /** Records the room of {@code issued}'s TURN credential (none for a token without a room, or without TURN). */
  private Future<Void> bound(IceServers.Issued issued, Claims claims) {
    String username = issued.turnUsername();
    if (username == null || claims.room() == null) {
      return Future.succeededFuture();
    }
    return services.credentialRooms().bind(username, claims.room(), TurnRestAuthenticator.restExpiry(username));
  }

  private void checkLiveness(long intervalNanos) {
    long now = services.sessions().nanoClock().getAsLong();
    services.sessions().participantLimits().sweep(now);
    for (SignalingSession session : List.copyOf(sessions)) {
      session.checkLiveness(now, intervalNanos);
    }
  }

  // ---- helpers ----

  private void asAdmin(RoutingContext ctx, Runnable action) {
    auth.verify(bearer(ctx.request()), TokenKind.ADMIN).onComplete(ar -> {
      if (ar.failed()) {
        unauthorized(ctx, ar.cause());
      } else {
        action.run();
      }
    });
  }

  private void unauthorized(RoutingContext ctx, Throwable cause) {
    if (cause instanceof AuthFailureException failure) {
      services.sessions().metrics().authFailure(failure.reason());
      if (failure.reason() == AuthFailureException.Reason.FORBIDDEN) {
        error(ctx, 403, "forbidden", failure.getMessage());
      } else {
        error(ctx, 401, "unauthorized", failure.getMessage());
      }
    } else {
      ctx.fail(cause);
    }
  }

  private static String bearer(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    return null;
  }

  private static void error(RoutingContext ctx, int status, String error, String message) {
    json(ctx, status, new JsonObject().put("error", error).put("message", message));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
