package io.switchboard.auth;

import io.switchboard.bus.Addresses;
import io.switchboard.bus.LocalCodec;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

import java.time.Clock;

/**
 * Owns the JWT keys and answers verification requests from the edge verticles over the node-local event bus,
 * so key material lives in one place and the edge never parses a signature itself.
 */
public final class AuthVerticle extends VerticleBase {

  private final SwitchboardConfig.Auth config;
  private TokenVerifier verifier;
  private MessageConsumer<VerifyRequest> consumer;

  public AuthVerticle(SwitchboardConfig.Auth config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx.eventBus(), VerifyRequest.class);
    LocalCodec.register(vertx.eventBus(), Claims.class);
    verifier = new TokenVerifier(vertx, config, Clock.systemUTC());
    consumer = vertx.eventBus().localConsumer(Addresses.AUTH_VERIFY, this::verify);
    return consumer.completion();
  }

  private void verify(Message<VerifyRequest> message) {
    VerifyRequest request = message.body();
    try {
      Claims claims = switch (request.kind()) {
        case PARTICIPANT -> verifier.verifyParticipant(request.token());
        case ADMIN -> verifier.verifyAdmin(request.token());
        case ANY -> verifier.verifyAny(request.token());
      };
      message.reply(claims);
    } catch (AuthFailure failure) {
      message.fail(failure.reason().ordinal(), failure.getMessage());
    } catch (RuntimeException unexpected) {
      // a token that trips the JWT library is still just a bad token; never leave the edge without an answer
      message.fail(AuthFailure.Reason.MALFORMED.ordinal(), "token could not be verified");
    }
  }
}
