package io.switchboard.webhook;

import io.switchboard.signaling.presence.RoomChange;
import io.switchboard.signaling.presence.RoomOperation;
import io.switchboard.signaling.presence.RoomRecord;
import io.switchboard.signaling.presence.RoomStore;
import io.vertx.core.Future;

import java.util.List;
import java.util.SortedMap;
import java.util.function.Consumer;

/**
 * The room store presence uses, with webhooks: every change an operation of this node committed is handed to
 * {@code committed}. A store answers an operation only to the node that ran it (in a cluster, the entry
 * processor's result comes back to its caller alone), so each change is seen once in the whole cluster: by the
 * node whose join, leave, kick, resume, expiry or purge it was.
 */
public final class WebhookRoomStore implements RoomStore {

  private final RoomStore store;
  private final Consumer<RoomChange> committed;

  public WebhookRoomStore(RoomStore store, Consumer<RoomChange> committed) {
    this.store = store;
    this.committed = committed;
  }

  @Override
  public Future<RoomChange> apply(String room, RoomOperation operation) {
    return store.apply(room, operation).onSuccess(this::emit);
  }

  @Override
  public Future<List<RoomChange>> applyToAll(RoomOperation operation) {
    return store.applyToAll(operation).onSuccess(changes -> changes.forEach(this::emit));
  }

  private void emit(RoomChange change) {
    if (change.changed()) {
      committed.accept(change);
    }
  }

  @Override
  public Future<RoomRecord> read(String room) {
    return store.read(room);
  }

  @Override
  public Future<SortedMap<String, RoomRecord>> readAll() {
    return store.readAll();
  }
}
