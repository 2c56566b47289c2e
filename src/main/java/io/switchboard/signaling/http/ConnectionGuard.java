package io.switchboard.signaling.http;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.metrics.HttpLimitMetrics;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP limits of the connections one edge instance accepted, all on its event loop: the per-address
 * connection cap when a connection opens, the header timeout until its first request head is complete, the
 * idle timeout between a response and the next request head, and the per-address upgrade rate. A connection
 * that becomes a WebSocket leaves this guard: its session's pings decide its liveness, not an HTTP timer.
 *
 * <p>Our own timers rather than Vert.x's {@code idleTimeout}: that one stays on the channel after an upgrade,
 * and a client dripping one header byte at a time would keep resetting it.
 */
final class ConnectionGuard implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final ConnectionLimits limits;
  private final HttpLimitMetrics metrics;
  private final long headerTimeoutMillis;
  private final long idleTimeoutMillis;
  /** Plain HTTP connections of this instance; an upgraded one is removed. */
  private final Map<HttpConnection, Tracked> connections = new HashMap<>();
  private long sweepTimer = -1;

  ConnectionGuard(Vertx vertx, ConnectionLimits limits, HttpLimitMetrics metrics, SwitchboardConfig.Http http) {
    this.vertx = vertx;
    this.limits = limits;
    this.metrics = metrics;
    this.headerTimeoutMillis = TimeUnit.SECONDS.toMillis(http.headerTimeoutSeconds());
    this.idleTimeoutMillis = TimeUnit.SECONDS.toMillis(http.idleTimeoutSeconds());
  }

  /** Called on the instance's event loop; the limits' table is shared, so one instance sweeping is enough. */
  void start() {
    sweepTimer = vertx.setPeriodic(1000, id -> limits.sweep());
  }

  void stop() {
    vertx.cancelTimer(sweepTimer);
  }

  /** The server's connection handler: runs as soon as the TCP connection is accepted. */
  void accept(HttpConnection connection) {
    ConnectionLimits.Lease lease = limits.acquire(connection.remoteAddress().hostAddress());
    if (lease == null) {
      metrics.closed(HttpLimitMetrics.Closed.ADDRESS_LIMIT);
      connection.close();
      return;
    }
    Tracked tracked = new Tracked(connection, lease);
    connections.put(connection, tracked);
    connection.closeHandler(v -> forget(tracked));
    arm(tracked, headerTimeoutMillis, HttpLimitMetrics.Closed.HEADER_TIMEOUT);
  }

  /** First route of every request: its head is complete, so no timer runs until its response has ended. */
  @Override
  public void handle(RoutingContext ctx) {
    Tracked tracked = connections.get(ctx.request().connection());
    if (tracked != null) {
      disarm(tracked);
      int request = ++tracked.requests;
      ctx.addEndHandler(ar -> {
        // only if no later request has started meanwhile (pipelining), and not upgraded
        if (ar.succeeded() && tracked.requests == request && connections.containsKey(tracked.connection)) {
          arm(tracked, idleTimeoutMillis, HttpLimitMetrics.Closed.IDLE_TIMEOUT);
        }
      });
    }
    ctx.next();
  }

  /** Takes an upgrade token of the request's address; false (and counted) when its bucket is empty. */
  boolean tryUpgrade(RoutingContext ctx) {
    Tracked tracked = connections.get(ctx.request().connection());
    if (tracked == null || tracked.lease.tryUpgrade()) {
      return true;
    }
    metrics.upgradeRateLimited();
    return false;
  }

  /**
   * The request's connection is a WebSocket now. Vert.x no longer reports the HTTP connection's close once
   * the WebSocket has taken over the channel (its handler has left the pipeline, and with it the connection), so
   * the caller runs the returned action when the socket closes.
   */
  Runnable upgraded(RoutingContext ctx) {
    Tracked tracked = connections.remove(ctx.request().connection());
    if (tracked == null) {
      return () -> { };
    }
    disarm(tracked);
    return tracked.lease::release;
  }

  private void arm(Tracked tracked, long millis, HttpLimitMetrics.Closed reason) {
    disarm(tracked);
    tracked.timer = vertx.setTimer(millis, id -> {
      tracked.timer = -1;
      metrics.closed(reason);
      tracked.connection.close();
    });
  }

  private void disarm(Tracked tracked) {
    if (tracked.timer != -1) {
      vertx.cancelTimer(tracked.timer);
      tracked.timer = -1;
    }
  }

  private void forget(Tracked tracked) {
    connections.remove(tracked.connection);
    disarm(tracked);
    tracked.lease.release();
  }

  private static final class Tracked {

    private final HttpConnection connection;
    private final ConnectionLimits.Lease lease;
    private long timer = -1;
    private int requests;

    Tracked(HttpConnection connection, ConnectionLimits.Lease lease) {
      this.connection = connection;
      this.lease = lease;
    }
  }
}
