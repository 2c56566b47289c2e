package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.switchboard.relay.allocation.ClientPath;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ErrorCodeAttribute;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.Software;
import io.switchboard.relay.proto.StunError;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.UnknownAttributes;
import io.switchboard.relay.proto.XorAddress;

/**
 * Every answer to a client leaves through here, on the client's way back ({@link ClientPath}: the listening
 * socket, or the client's own TCP or TLS connection). Answers to requests nobody has
 * authenticated (Binding, 400/420, and the challenges of {@link TurnAuthentication}) are unsigned and spend the
 * source's {@link UnauthenticatedBudget}, so the relay is no amplifier; answers to authenticated requests are
 * signed with the key the request verified under, with the same integrity attribute it used.
 */
final class Responder {

  private final Channel listener;
  private final RelayEvents events;
  private final UnauthenticatedBudget budget;

  Responder(Channel listener, RelayEvents events, UnauthenticatedBudget budget) {
    this.listener = listener;
    this.events = events;
    this.budget = budget;
  }

  /** A pooled buffer for an answer. */
  ByteBuf buffer(int initialCapacity) {
    return listener.alloc().ioBuffer(initialCapacity);
  }

  /** True when one more unauthenticated answer to {@code client} is within budget; otherwise counts the drop. */
  boolean withinBudget(ClientPath client, long now) {
    if (!budget.tryTake(client.address().getAddress(), now)) {
      events.dropped(RelayEvents.Drop.UNAUTHENTICATED_BUDGET);
      return false;
    }
    return true;
  }

  /** STUN Binding (RFC 8489): XOR-MAPPED-ADDRESS, SOFTWARE, FINGERPRINT; no authentication, budgeted. */
  void bindingSuccess(StunMessage message, ClientPath client, long now) {
    if (!withinBudget(client, now)) {
      return;
    }
    ByteBuf out = buffer(64);
    MessageWriter writer = MessageWriter.answer(out, message, MessageClass.SUCCESS);
    XorAddress.write(writer, AttributeType.XOR_MAPPED_ADDRESS, client.address());
    Software.write(writer, RelayServices.SOFTWARE);
    writer.fingerprint();
    send(out, client);
  }

  /** An error to a request that is not (yet) authenticated: unsigned, budgeted. */
  void unauthenticatedError(StunMessage message, ClientPath client, long now, StunError error,
                            int[] unknown) {
    if (!withinBudget(client, now)) {
      return;
    }
    events.errorAnswered(error);
    ByteBuf out = buffer(96);
    MessageWriter writer = MessageWriter.answer(out, message, MessageClass.ERROR);
    ErrorCodeAttribute.write(writer, error);
    if (unknown != null) {
      UnknownAttributes.write(writer, unknown);
    }
    writer.fingerprint();
    send(out, client);
  }

  /** A signed error answer to an authenticated request. */
  void error(TurnRequest request, StunError error) {
    events.errorAnswered(error);
    ByteBuf out = buffer(128);
    MessageWriter writer = MessageWriter.answer(out, request.message(), MessageClass.ERROR);
    ErrorCodeAttribute.write(writer, error);
    signAndSend(writer, request.auth(), request.client());
  }

  /** Ends an answer: SOFTWARE, the integrity attribute the request used, FINGERPRINT. */
  void sign(MessageWriter writer, TurnAuthentication.Auth auth) {
    Software.write(writer, RelayServices.SOFTWARE);
    if (auth.sha256()) {
      writer.integritySha256(auth.key());
    } else {
      writer.integrity(auth.key());
    }
    writer.fingerprint();
  }

  void signAndSend(MessageWriter writer, TurnAuthentication.Auth auth, ClientPath client) {
    sign(writer, auth);
    send(writer.buffer(), client);
  }

  /** Written and flushed at once, not collected into the read batch like relayed data. */
  void send(ByteBuf out, ClientPath client) {
    Channel channel = client.channel();
    channel.writeAndFlush(client.frame(out), channel.voidPromise());
  }
}
