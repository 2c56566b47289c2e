package io.switchboard.signaling.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * One line per HTTP request. Logs the path only, never the query string or headers, because both can carry
 * tokens ({@code access_token}, {@code Authorization}).
 */
final class AccessLog implements Handler<RoutingContext> {

  private static final System.Logger LOG = System.getLogger("io.switchboard.access");

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(ignored -> LOG.log(System.Logger.Level.INFO, "{0} {1} {2} {3}ms {4}",
      ctx.request().method().name(), ctx.request().path(), ctx.response().getStatusCode(),
      (System.nanoTime() - start) / 1_000_000, ctx.request().remoteAddress()));
    ctx.next();
  }
}
