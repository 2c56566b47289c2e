package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.switchboard.relay.allocation.AllocationManager;
import io.switchboard.relay.allocation.ClientPath;
import io.switchboard.relay.proto.Fingerprint;
import io.switchboard.relay.proto.MalformedMessageException;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageType;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.StunError;
import io.switchboard.relay.proto.StunMessage;

import java.util.HashMap;
import java.util.Map;

/**
 * The dispatch table for STUN messages from clients, whatever their transport: Binding is answered before any
 * authentication; other requests are authenticated ({@link TurnAuthentication}) and go to the handler registered
 * for their message type ({@link AllocationRequests}, {@link PermissionRequests}); the only indication accepted is
 * Send ({@link DataPath}). ChannelData is told apart before this, by the transport's read path.
 */
final class MessageDispatch {

  /** A handler of one authenticated request type. */
  @FunctionalInterface
  private interface Handler {
    void handle(TurnRequest request);
  }

  private final RelayEvents events;
  private final AllocationManager allocations;
  private final Responder responder;
  private final TurnAuthentication authentication;
  private final DataPath dataPath;
  /** One handler per (method, class) of authenticated request, keyed by the STUN message type. */
  private final Map<Integer, Handler> handlers = new HashMap<>();

  MessageDispatch(RelayServices services, AllocationManager allocations, Responder responder,
                  TurnAuthentication authentication, DataPath dataPath, AllocationRequests allocationRequests,
                  PermissionRequests permissionRequests) {
    this.events = services.events();
    this.allocations = allocations;
    this.responder = responder;
    this.authentication = authentication;
    this.dataPath = dataPath;
    handlers.put(MessageType.encode(Method.ALLOCATE, MessageClass.REQUEST), allocationRequests::allocate);
    handlers.put(MessageType.encode(Method.REFRESH, MessageClass.REQUEST), allocationRequests::refresh);
    handlers.put(MessageType.encode(Method.CREATE_PERMISSION, MessageClass.REQUEST),
      permissionRequests::createPermission);
    handlers.put(MessageType.encode(Method.CHANNEL_BIND, MessageClass.REQUEST), permissionRequests::channelBind);
  }

  /** One message from {@code client} that is not ChannelData: {@code buf} holds exactly that message. */
  void stun(ByteBuf buf, ClientPath client, long now) {
    if (!StunMessage.looksLikeStun(buf)) {
      events.dropped(RelayEvents.Drop.MALFORMED);
      return;
    }
    StunMessage message;
    try {
      message = StunMessage.decode(buf);
    } catch (MalformedMessageException e) {
      events.dropped(RelayEvents.Drop.MALFORMED);
      return;
    }
    // RFC 8489 section 7.3: a FINGERPRINT that is present must match, else the message is discarded unanswered
    if (Fingerprint.present(message) && !Fingerprint.verify(message)) {
      events.dropped(RelayEvents.Drop.BAD_FINGERPRINT);
      return;
    }
    switch (message.messageClass()) {
      case REQUEST -> request(message, client, now);
      case INDICATION -> {
        if (message.method() == Method.SEND) {
          dataPath.sendIndication(message, allocations.of(client), now);
        } else {
          events.dropped(RelayEvents.Drop.UNEXPECTED);
        }
      }
      default -> events.dropped(RelayEvents.Drop.UNEXPECTED);
    }
  }

  private void request(StunMessage message, ClientPath client, long now) {
    int[] unknown = message.unknownComprehensionRequired();
    if (unknown.length > 0) {
      responder.unauthenticatedError(message, client, now, StunError.UNKNOWN_ATTRIBUTE, unknown);
      return;
    }
    if (message.method() == Method.BINDING) {
      responder.bindingSuccess(message, client, now);
      return;
    }
    Handler handler = handlers.get(message.type());
    if (handler == null) {
      responder.unauthenticatedError(message, client, now, StunError.BAD_REQUEST, null);
      return;
    }
    TurnAuthentication.Auth auth;
    try {
      auth = authentication.authenticate(message, client, now);
    } catch (MalformedMessageException e) {
      events.authFailure(RelayEvents.AuthFailure.BAD_REQUEST, client.address());
      responder.unauthenticatedError(message, client, now, StunError.BAD_REQUEST, null);
      return;
    }
    if (auth == null) {
      return;
    }
    client.authenticated();
    TurnRequest request = new TurnRequest(message, client, auth, now);
    try {
      handler.handle(request);
    } catch (MalformedMessageException e) {
      responder.error(request, StunError.BAD_REQUEST);
    }
  }
}
