package io.switchboard.signaling.room;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeoutException;

/**
 * The {@link RoomDirectory} the edge uses: each command goes straight to the presence verticle's event loop, and
 * its answer comes back on the caller's. (It used to be a request on the node-local event bus: a reply consumer
 * registered and removed, and message objects both ways, on every join and leave, for a call between two loops of
 * one process.) As the bus's send timeout did, a caller stops waiting after 10 s.
 */
public final class PresenceRoomDirectory implements RoomDirectory {

  private static final long TIMEOUT_MILLIS = 10_000;

  private final Vertx vertx;
  private final PresenceDesk desk;
  private final long timeoutMillis;

  public PresenceRoomDirectory(Vertx vertx, PresenceDesk desk) {
    this(vertx, desk, TIMEOUT_MILLIS);
  }

  PresenceRoomDirectory(Vertx vertx, PresenceDesk desk, long timeoutMillis) {
    this.vertx = vertx;
    this.desk = desk;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public Future<Room> join(Participant participant, String resumeHash, SessionEndpoint endpoint) {
    return ask(new PresenceCommand.Join(participant, resumeHash, endpoint));
  }

  @Override
  public Future<Room> resume(Participant participant, String presentedHash, String newResumeHash,
                             SessionEndpoint endpoint) {
    return ask(new PresenceCommand.Resume(participant, presentedHash, newResumeHash, endpoint));
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

  /** Any thread; the answer is emitted on the caller's context (a fresh one off Vert.x threads). */
  @SuppressWarnings("unchecked")
  private <T> Future<T> ask(PresenceCommand command) {
    PromiseInternal<Object> answer = ((ContextInternal) vertx.getOrCreateContext()).promise();
    long timer = vertx.setTimer(timeoutMillis, id -> answer.tryFail(new TimeoutException(
      "presence did not answer " + command.getClass().getSimpleName() + " within " + timeoutMillis + " ms")));
    desk.submit(command, answer);
    return answer.future().andThen(ar -> vertx.cancelTimer(timer)).map(result -> (T) result);
  }
}
