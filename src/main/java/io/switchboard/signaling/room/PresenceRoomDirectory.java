package io.switchboard.signaling.room;

import io.switchboard.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The {@link RoomDirectory} the edge uses: commands go over the node-local bus to the presence verticle. */
public final class PresenceRoomDirectory implements RoomDirectory {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(10_000);

  private final EventBus bus;

  public PresenceRoomDirectory(EventBus bus) {
    this.bus = bus;
    PresenceCommand.registerCodecs(bus);
  }

  @Override
  public Future<Room> join(Participant participant, String resumeHash, SessionEndpoint endpoint) {
    return this.<Room>ask(new PresenceCommand.Join(participant, resumeHash, endpoint))
      .recover(PresenceRoomDirectory::refusal);
  }

  @Override
  public Future<Room> resume(Participant participant, String presentedHash, String newResumeHash,
                             SessionEndpoint endpoint) {
    return this.<Room>ask(new PresenceCommand.Resume(participant, presentedHash, newResumeHash, endpoint))
      .recover(PresenceRoomDirectory::refusal);
  }

  /** Turns a refusal the presence verticle sent back into the exception the edge answers. */
  private static <T> Future<T> refusal(Throwable failure) {
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      switch (reply.failureCode()) {
        case PresenceCommand.ROOM_FULL -> {
          return Future.failedFuture(new RoomFullException(reply.getMessage()));
        }
        case PresenceCommand.IDENTITY_TAKEN -> {
          return Future.failedFuture(new IdentityTakenException(reply.getMessage()));
        }
        case PresenceCommand.RESUME_FAILED -> {
          return Future.failedFuture(new ResumeFailedException(ResumeFailedException.Reason.valueOf(
            reply.getMessage())));
        }
        default -> {
          return Future.failedFuture(failure);
        }
      }
    }
    return Future.failedFuture(failure);
  }

  @Override
  public Future<Void> leave(String room, String sessionId, LeaveReason reason, SessionEndpoint endpoint) {
    return ask(new PresenceCommand.Leave(room, sessionId, reason, endpoint));
  }

  @Override
  public Future<Void> suspend(String room, String sessionId, LeaveReason reason, SessionEndpoint endpoint) {
    return ask(new PresenceCommand.Suspend(room, sessionId, reason, endpoint));
  }

  @Override
  public Future<Boolean> kick(String room, String sessionId) {
    return ask(new PresenceCommand.Kick(room, sessionId));
  }

  @Override
  public Future<JsonArray> describeRooms() {
    return ask(new PresenceCommand.DescribeRooms());
  }

  @Override
  public Future<JsonObject> describeRoom(String room) {
    return ask(new PresenceCommand.DescribeRoom(room));
  }

  private <T> Future<T> ask(PresenceCommand command) {
    return bus.<T>request(Addresses.PRESENCE, command, LOCAL).map(reply -> reply.body());
  }
}
