package io.switchboard.signaling.room;

import io.vertx.core.Promise;

/** What answers this node's edges about rooms: the presence verticle, on its own event loop. */
public interface PresenceDesk {

  /**
   * Runs {@code command} on presence's event loop and completes {@code answer} with its result, or fails it with
   * the refusal ({@link RoomFullException}, {@link IdentityTakenException}, {@link ResumeFailedException}) or
   * the error. Any thread; {@code answer} may already have failed (the caller stopped waiting).
   */
  void submit(PresenceCommand command, Promise<Object> answer);
}
