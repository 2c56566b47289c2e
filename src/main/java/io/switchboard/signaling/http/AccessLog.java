package io.switchboard.signaling.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * One line per HTTP request. Logs the path only, never the query string or headers, because both can carry
 * tokens ({@code access_token}, {@code Authorization}).
 */
final class AccessLog implements Handler<RoutingContext> {

  private static final System.Logger LOG = System.getLogger("io.switchboard.access");
  private static final String START = "accessLogStartNanos";

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.put(START, start);
    ctx.addEndHandler(ignored -> log(ctx, ctx.response().getStatusCode()));
    ctx.next();
  }

  /**
   * An accepted WebSocket upgrade never "ends" as an HTTP response (Netty's handshaker answers it, and Vert.x's
   * side of the connection, routing context included, is dropped with its handler), so it is logged here, as 101.
   */
  static void upgraded(RoutingContext ctx) {
    log(ctx, 101);
  }

  private static void log(RoutingContext ctx, int status) {
    Long start = ctx.get(START);
    long millis = start == null ? 0 : (System.nanoTime() - start) / 1_000_000;
    LOG.log(System.Logger.Level.INFO, "{0} {1} {2} {3}ms {4}", ctx.request().method().name(), ctx.request().path(),
      status, millis, ctx.request().remoteAddress());
  }
}
