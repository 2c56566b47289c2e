package io.switchboard.auth;

import io.switchboard.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** The edge's view of the auth verticle: verify a token, get {@link Claims} or an {@link AuthFailure}. */
public final class AuthClient {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(5_000);

  private final EventBus bus;

  public AuthClient(EventBus bus) {
    this.bus = bus;
  }

  public Future<Claims> verify(String token, VerifyRequest.Kind kind) {
    if (token == null || token.isEmpty()) {
      return Future.failedFuture(new AuthFailure(AuthFailure.Reason.MISSING,
        "no token: send Authorization: Bearer <jwt> or access_token=<jwt>"));
    }
    return bus.<Claims>request(Addresses.AUTH_VERIFY, new VerifyRequest(token, kind), LOCAL)
      .transform(ar -> {
        if (ar.succeeded()) {
          return Future.succeededFuture(ar.result().body());
        }
        if (ar.cause() instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
          AuthFailure.Reason reason = AuthFailure.Reason.values()[reply.failureCode()];
          return Future.failedFuture(new AuthFailure(reason, reply.getMessage()));
        }
        return Future.failedFuture(ar.cause());
      });
  }
}
