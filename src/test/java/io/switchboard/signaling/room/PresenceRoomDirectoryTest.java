package io.switchboard.signaling.room;

import io.switchboard.signaling.session.Ids;
import io.switchboard.testing.TestNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How an edge's room commands reach presence and how their answers come back (no event bus in between). */
class PresenceRoomDirectoryTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("a real node's presence answers a join on the asking edge's own context, and the room then lists it")
  void answersOnTheCallersContext() throws Exception {
    try (TestNode node = TestNode.start()) {
      RoomDirectory directory = node.node().roomDirectory();
      Context edge = node.node().vertx().getOrCreateContext();
      String room = TestNode.unique("directory");
      Participant alice = new Participant(Ids.sessionId(), room, "alice", "Alice", Role.PUBLISHER, new JsonObject(),
        "node");
      CompletableFuture<Boolean> onCaller = new CompletableFuture<>();
      edge.runOnContext(v -> directory.join(alice, "hash", new Silent()).onComplete(ar -> {
        if (ar.failed()) {
          onCaller.completeExceptionally(ar.cause());
        } else {
          onCaller.complete(Vertx.currentContext() == edge);
        }
      }));
      assertTrue(onCaller.get(5, TimeUnit.SECONDS), "the continuation ran on the caller's context");
      JsonObject described = directory.describeRoom(room).await(5, TimeUnit.SECONDS);
      JsonArray participants = described.getJsonArray("participants");
      assertEquals(1, participants.size(), described.encode());
      assertEquals(alice.id(), participants.getJsonObject(0).getString("id"));
      directory.leave(room, alice.id(), LeaveReason.LEFT, null).await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("a refusal arrives as presence raised it; a presence that never answers fails the wait in time")
  void refusalsAndTimeout() {
    RoomFullException full = new RoomFullException("r", 2);
    PresenceRoomDirectory refusing = new PresenceRoomDirectory(vertx, (command, answer) -> answer.fail(full), 5_000);
    Participant bob = new Participant(Ids.sessionId(), "r", "bob", "Bob", Role.PUBLISHER, new JsonObject(), "node");
    Future<Room> refused = refusing.join(bob, "hash", new Silent());
    assertSame(full, assertFails(refused));

    PresenceRoomDirectory stalled = new PresenceRoomDirectory(vertx, (command, answer) -> { }, 200);
    Future<Boolean> kick = stalled.kick("r", bob.id());
    Throwable timeout = assertFails(kick);
    assertTrue(timeout instanceof TimeoutException && timeout.getMessage().contains("Kick"), timeout.toString());
  }

  @Test
  @DisplayName("a command presence throws on fails at once with that exception, and presence goes on serving")
  void faultInPresence() throws Exception {
    try (TestNode node = TestNode.start()) {
      RoomDirectory directory = node.node().roomDirectory();
      Participant roomless = new Participant(Ids.sessionId(), null, "carol", "Carol", Role.PUBLISHER,
        new JsonObject(), "node");
      long start = System.nanoTime();
      Throwable fault = assertFails(directory.join(roomless, "hash", new Silent()));
      assertFalse(fault instanceof TimeoutException, fault.toString());
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "failed before the 10 s limit");
      String room = TestNode.unique("after-fault");
      Participant dave = new Participant(Ids.sessionId(), room, "dave", "Dave", Role.PUBLISHER, new JsonObject(),
        "node");
      assertEquals(room, directory.join(dave, "hash", new Silent()).await(5, TimeUnit.SECONDS).name());
    }
  }

  private static Throwable assertFails(Future<?> future) {
    try {
      future.await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      return e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
    }
    throw new AssertionError("expected a failure");
  }

  /** A session that ignores what presence tells it. */
  private static final class Silent implements SessionEndpoint {
    @Override
    public void admitted(Room room, Participant self, List<Participant> visiblePeers, boolean resumed) {
    }

    @Override
    public void deliver(String frame) {
    }

    @Override
    public void evicted(LeaveReason reason) {
    }
  }
}
