package io.switchboard.signaling.presence;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.config.SwitchboardConfig.DuplicateIdentity;
import io.switchboard.metrics.PresenceMetrics;
import io.switchboard.signaling.presence.PresenceSuite.Recorder;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.PresenceRoomDirectory;
import io.switchboard.signaling.room.Role;
import io.switchboard.signaling.room.Room;
import io.switchboard.signaling.session.Ids;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Results of room operations can reach the presence loop in another order than the store ran them: Hazelcast
 * completes them on several response threads. Found by loadtest/resume-cost.sh (2 of 2,000 sessions resumed on
 * a survivor at once got nothing afterwards): node B applied the older result's snapshot over the newer one, took
 * a session already resumed here for one still on the dead node and handed it over there.
 *
 * <p>Here node B runs its real presence verticle over the in-memory store, behind a store that holds back the
 * results of two resumes and hands them over in reverse order, and a cluster view in which node A (holding alice
 * and carol) dies.
 */
@DisplayName("Presence when the store's results arrive out of order")
class OutOfOrderResultsTest {

  private static final String NODE_A = "node-a";
  private static final String NODE_B = "node-b";

  private final Vertx vertx = Vertx.vertx();
  private final LocalRoomStore rooms = new LocalRoomStore();
  private final ResultsInReverse store = new ResultsInReverse(rooms);
  private final FakeCluster cluster = new FakeCluster();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("two sessions of a lost node resumed here, results in reverse order: both get frames afterwards")
  void resumesCompletingInReverseOrder() throws Exception {
    String room = "room-" + Ids.random(6);
    Recorder alice = seatOnNodeA(room, "alice");
    Recorder carol = seatOnNodeA(room, "carol");
    PresenceSettings settings = new PresenceSettings(NODE_B, 10, DuplicateIdentity.REPLACE, 20_000, 256, 262_144);
    GraceStats graceStats = new GraceStats();
    PresenceVerticle presence = new PresenceVerticle(settings, store, cluster,
      new PresenceMetrics(new SimpleMeterRegistry(), graceStats::buffers, graceStats::bytes), graceStats);
    vertx.deployVerticle(presence).await();
    PresenceRoomDirectory directory = new PresenceRoomDirectory(vertx, presence);

    Recorder bob = new Recorder(participant(Ids.sessionId(), room, "bob", NODE_B));
    bob.room = directory.join(bob.participant, bob.resumeHash, bob).await(5, TimeUnit.SECONDS);
    assertEquals(Set.of(alice.id(), carol.id()), bob.welcomePeerIds());

    cluster.lose(NODE_A); // B is the oldest survivor: its sessions wait here, and B purges A's seats
    awaitTrue(() -> states(directory, room).equals(List.of("connected", "grace", "grace")), "A's seats suspended");

    store.holdNextResumes(2);
    Recorder aliceBack = new Recorder(participant(alice.id(), room, "alice", NODE_B));
    Recorder carolBack = new Recorder(participant(carol.id(), room, "carol", NODE_B));
    Future<Room> aliceResumed = directory.resume(aliceBack.participant, alice.resumeHash, aliceBack.resumeHash,
      aliceBack);
    Future<Room> carolResumed = directory.resume(carolBack.participant, carol.resumeHash, carolBack.resumeHash,
      carolBack);
    aliceResumed.await(5, TimeUnit.SECONDS); // the first to run in the store, the last to be handed over
    carolResumed.await(5, TimeUnit.SECONDS);
    assertTrue(aliceBack.resumed && carolBack.resumed, "both welcomed as resumed");
    assertEquals(2, store.reversed, "the store ran alice's resume first and its result was handed over last");

    bob.send(aliceBack, new JsonObject().put("type", "message").put("data", "to alice"));
    bob.send(carolBack, new JsonObject().put("type", "message").put("data", "to carol"));
    awaitTrue(() -> aliceBack.types().contains("message"), "alice gets bob's frame: " + aliceBack.frames());
    awaitTrue(() -> carolBack.types().contains("message"), "carol gets bob's frame: " + carolBack.frames());
    JsonObject record = directory.describeRoom(room).await(5, TimeUnit.SECONDS);
    assertTrue(record.getJsonArray("participants").stream().map(JsonObject.class::cast)
      .allMatch(p -> NODE_B.equals(p.getString("node"))), record.encode());
  }

  /** A connected seat of node A in the store, as A's join would have left it; the recorder holds its token. */
  private Recorder seatOnNodeA(String room, String identity) {
    Recorder session = new Recorder(participant(Ids.sessionId(), room, identity, NODE_A));
    Seat seat = Seat.connected(MemberRecord.of(session.participant), session.resumeHash);
    RoomChange change = rooms.apply(room, new RoomOperations.Join(seat, 10, DuplicateIdentity.REPLACE, 1)).result();
    assertTrue(change.changed(), "seated");
    return session;
  }

  /** Each participant's state in the store, sorted (the store is read on the presence loop). */
  private static List<String> states(PresenceRoomDirectory directory, String room) {
    return directory.describeRoom(room).await().getJsonArray("participants").stream().map(JsonObject.class::cast)
      .map(p -> p.getString("state")).sorted().toList();
  }

  private static Participant participant(String id, String room, String identity, String node) {
    return new Participant(id, room, identity, identity, Role.PUBLISHER, new JsonObject(), node);
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 5 s: " + what);
      }
      Thread.sleep(10);
    }
  }

  /** Runs every operation at once, in order; the results of the next resumes are handed over last first. */
  private static final class ResultsInReverse implements RoomStore {

    private final RoomStore store;
    private final List<Runnable> held = new ArrayList<>();
    private volatile int toHold;
    volatile int reversed;

    ResultsInReverse(RoomStore store) {
      this.store = store;
    }

    void holdNextResumes(int count) {
      toHold = count;
    }

    @Override
    public Future<RoomChange> apply(String room, RoomOperation operation) {
      Future<RoomChange> result = store.apply(room, operation);
      if (!(operation instanceof RoomOperations.Resume) || toHold == 0) {
        return result;
      }
      Promise<RoomChange> later = Promise.promise();
      held.add(() -> result.onComplete(later));
      if (held.size() == toHold) {
        toHold = 0;
        reversed = held.size();
        // later turns of the presence loop, the last resume's result first
        io.vertx.core.Context context = Vertx.currentContext();
        List<Runnable> lastFirst = new ArrayList<>(held);
        java.util.Collections.reverse(lastFirst);
        lastFirst.forEach(release -> context.runOnContext(v -> release.run()));
        held.clear();
      }
      return later.future();
    }

    @Override
    public Future<List<RoomChange>> applyToAll(RoomOperation operation) {
      return store.applyToAll(operation);
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

  /** Nodes A and B, B the oldest; {@link #lose} tells presence that A died. */
  private static final class FakeCluster implements ClusterView {

    private volatile Set<String> live = Set.of(NODE_A, NODE_B);
    private volatile Listener listener;

    void lose(String node) {
      live = Set.of(NODE_B);
      listener.left(node);
    }

    @Override
    public Set<String> liveNodes() {
      return live;
    }

    @Override
    public boolean isOldest() {
      return true;
    }

    @Override
    public Runnable listen(Listener listener) {
      this.listener = listener;
      return () -> { };
    }
  }
}
