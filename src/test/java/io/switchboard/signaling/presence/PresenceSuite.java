package io.switchboard.signaling.presence;

import io.switchboard.signaling.room.IdentityTakenException;
import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.ResumeFailedException;
import io.switchboard.signaling.room.Role;
import io.switchboard.signaling.room.Room;
import io.switchboard.signaling.room.RoomDirectory;
import io.switchboard.signaling.room.RoomFullException;
import io.switchboard.signaling.room.SessionEndpoint;
import io.switchboard.signaling.session.Ids;
import io.switchboard.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The presence rules and session resume, as the edge uses them (commands to a node's presence verticle, with
 * endpoints that record what they are given), run once over each room store: in memory on a single node
 * ({@link LocalPresenceTest}) and Hazelcast's across two clustered nodes ({@link ClusteredPresenceTest}).
 * Tests address {@code node(0)} and {@code node(1)}; on a single node both are the same node, in a cluster the
 * participants are spread over both.
 *
 * <p>Nodes run with a room limit of 3, a grace period of 1 s and grace buffers of 5 frames, so limits, expiry and
 * overflow show quickly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PresenceSuite {

  static final int LIMIT = 3;
  static final int BUFFER_FRAMES = 5;
  private static final Duration WAIT = Duration.ofSeconds(5);
  /** Ordering across endpoints: every call any recorder gets takes the next number. */
  private static final AtomicLong CLOCK = new AtomicLong();

  private Nodes nodes;
  private String room;

  /** The nodes a test talks to, started with {@code overrides} of the suite's settings. */
  interface Nodes extends AutoCloseable {
    TestNode node(int index);

    @Override
    void close();
  }

  protected abstract Nodes start(JsonObject overrides);

  static JsonObject settings() {
    return new JsonObject()
      .put("limits", new JsonObject().put("maxParticipantsPerRoom", LIMIT))
      .put("rooms", new JsonObject().put("gracePeriodSeconds", 1).put("resumeBufferFrames", BUFFER_FRAMES));
  }

  @BeforeAll
  void startNodes() {
    nodes = start(new JsonObject());
  }

  @AfterAll
  void stopNodes() {
    nodes.close();
  }

  // ---- participants ----

  /** A session as presence sees it: records, in order, everything presence does to it. */
  static final class Recorder implements SessionEndpoint {
    final List<JsonObject> frames = new ArrayList<>();
    final List<LeaveReason> evictions = new ArrayList<>();
    Participant participant;
    String resumeHash;
    List<Participant> welcomePeers;
    Room room;
    boolean resumed;
    boolean routableWhenAdmitted;
    long admittedAt;
    volatile SessionEndpoint successor;

    Recorder(Participant participant) {
      this.participant = participant;
      this.resumeHash = Ids.random(24);
    }

    String id() {
      return participant.id();
    }

    @Override
    public synchronized void admitted(Room room, Participant self, List<Participant> visiblePeers, boolean resumed) {
      this.participant = self;
      this.room = room;
      this.welcomePeers = List.copyOf(visiblePeers);
      this.resumed = resumed;
      this.routableWhenAdmitted = room.member(self.id()) != null;
      this.admittedAt = CLOCK.incrementAndGet();
    }

    @Override
    public void deliver(String frame) {
      SessionEndpoint next = successor;
      if (next != null) {
        next.deliver(frame);
        return;
      }
      synchronized (this) {
        frames.add(new JsonObject(frame).put("at", CLOCK.incrementAndGet()));
      }
    }

    @Override
    public synchronized void evicted(LeaveReason reason) {
      evictions.add(reason);
    }

    @Override
    public void replacedBy(SessionEndpoint next) {
      successor = next;
    }

    synchronized List<JsonObject> frames() {
      return List.copyOf(frames);
    }

    synchronized List<String> types() {
      return frames.stream().map(f -> f.getString("type")).toList();
    }

    synchronized void clear() {
      frames.clear();
    }

    Set<String> welcomePeerIds() {
      return welcomePeers.stream().map(Participant::id).collect(Collectors.toSet());
    }

    /** Sends {@code frame} to {@code target} the way an edge does: through this session's room, from first. */
    void send(Recorder target, JsonObject frame) {
      room.member(target.id()).endpoint().deliver("{\"from\":\"" + id() + "\"," + frame.encode().substring(1));
    }
  }

  private TestNode node(int index) {
    return nodes.node(index);
  }

  private static RoomDirectory directory(TestNode node) {
    return node.node().roomDirectory();
  }

  private String freshRoom() {
    room = TestNode.unique("room");
    return room;
  }

  private Recorder participant(int node, String identity, Role role) {
    return new Recorder(new Participant(Ids.sessionId(), room, identity, identity.toUpperCase(), role,
      new JsonObject().put("k", identity), node(node).node().nodeId()));
  }

  private Recorder join(int node, String identity, Role role) {
    Recorder recorder = participant(node, identity, role);
    await(directory(node(node)).join(recorder.participant, recorder.resumeHash, recorder));
    return recorder;
  }

  private Recorder join(int node, String identity) {
    return join(node, identity, Role.PUBLISHER);
  }

  /** Resumes {@code previous}'s session on {@code node} with its current token; returns the new connection. */
  private Recorder resume(int node, Recorder previous, String identity) {
    Recorder next = new Recorder(new Participant(previous.id(), room, identity, identity, Role.PUBLISHER,
      new JsonObject(), node(node).node().nodeId()));
    await(directory(node(node)).resume(next.participant, previous.resumeHash, next.resumeHash, next));
    return next;
  }

  private Throwable resumeFailure(int node, Recorder previous, String identity, String hash) {
    Participant asked = new Participant(previous.id(), room, identity, identity, Role.PUBLISHER, new JsonObject(),
      node(node).node().nodeId());
    Recorder next = new Recorder(asked);
    return failure(directory(node(node)).resume(asked, hash, next.resumeHash, next));
  }

  private void suspend(int node, Recorder session) {
    await(directory(node(node)).suspend(room, session.id(), LeaveReason.DISCONNECTED, session));
  }

  private void leave(int node, Recorder session, LeaveReason reason) {
    await(directory(node(node)).leave(room, session.id(), reason, session));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("presence refused: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Throwable failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      throw new AssertionError("expected a refusal");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  private static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      sleep(10);
    }
  }

  /** Lets anything on its way arrive, for assertions that something did not happen. */
  private static void settle() {
    sleep(300);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static JsonObject peerJoined(Recorder subject) {
    Participant p = subject.participant;
    return new JsonObject().put("type", "peer-joined").put("peer", new JsonObject().put("id", p.id())
      .put("identity", p.identity()).put("name", p.name()).put("role", p.role().wire())
      .put("meta", new JsonObject().put("k", p.identity())));
  }

  private static JsonObject peerLeft(Recorder subject, String reason) {
    return new JsonObject().put("type", "peer-left").put("id", subject.id()).put("reason", reason);
  }

  /** The frames without the arrival stamp this suite adds. */
  private static List<JsonObject> received(Recorder recorder) {
    return recorder.frames().stream().map(f -> {
      JsonObject copy = f.copy();
      copy.remove("at");
      return copy;
    }).toList();
  }

  private static void awaitFrames(Recorder recorder, int count) {
    eventually(recorder.participant.identity() + " gets " + count + " frames, has " + recorder.types(),
      () -> recorder.frames().size() >= count);
  }

  // ---- the rules ----

  @Nested
  @DisplayName("welcome: who a newcomer sees")
  class Welcome {

    @Test
    @DisplayName("the first participant is admitted with no peers, and nobody sends it its own peer-joined")
    void first() {
      freshRoom();
      Recorder alice = join(0, "alice");
      assertEquals(List.of(), alice.welcomePeers);
      assertFalse(alice.resumed);
      assertEquals(room, alice.room.name());
      settle();
      assertEquals(List.of(), alice.frames());
    }

    @Test
    @DisplayName("a viewer sees only the publishers; a publisher sees everyone else, on any node")
    void visibility() {
      freshRoom();
      Recorder pub = join(0, "pub");
      Recorder viewer = join(1, "view", Role.VIEWER);
      assertEquals(Set.of(pub.id()), viewer.welcomePeerIds());
      eventually("pub hears of the viewer", () -> !pub.frames().isEmpty());
      Recorder pub2 = join(1, "pub2");
      assertEquals(Set.of(pub.id(), viewer.id()), pub2.welcomePeerIds());
    }

    @Test
    @DisplayName("welcome comes before anyone hears of the newcomer, and it is not routable before its welcome")
    void admittedFirst() {
      freshRoom();
      Recorder pub = join(0, "pub");
      Recorder newcomer = join(1, "new");
      awaitFrames(pub, 1);
      assertTrue(newcomer.admittedAt < pub.frames().get(0).getLong("at"));
      assertFalse(newcomer.routableWhenAdmitted, "a session must not receive frames before its welcome");
      assertSame(newcomer, newcomer.room.member(newcomer.id()).endpoint(), "routable after admission");
    }
  }

  @Nested
  @DisplayName("peer-joined and peer-left: who hears of whom")
  class Announcements {

    @Test
    @DisplayName("a publisher's arrival and departure are told to everyone, publishers and viewers")
    void publisher() {
      freshRoom();
      Recorder pub = join(0, "pub");
      Recorder viewer = join(1, "view", Role.VIEWER);
      Recorder pub2 = join(1, "pub2");
      eventually("the viewer hears of pub2", () -> viewer.frames().size() == 1);
      assertEquals(List.of(peerJoined(pub2)), received(viewer));
      leave(1, pub2, LeaveReason.LEFT);
      eventually("both hear pub2 left", () -> viewer.frames().size() == 2 && pub.frames().size() == 3);
      assertEquals(peerLeft(pub2, "left"), received(viewer).get(1));
      assertEquals(List.of(peerJoined(viewer), peerJoined(pub2), peerLeft(pub2, "left")), received(pub));
    }

    @Test
    @DisplayName("a viewer's arrival and departure are told to publishers only, never to other viewers")
    void viewer() {
      freshRoom();
      Recorder pub = join(0, "pub");
      Recorder v1 = join(1, "v1", Role.VIEWER);
      Recorder v2 = join(0, "v2", Role.VIEWER);
      leave(0, v2, LeaveReason.LEFT);
      eventually("pub hears of both viewers and v2's leave", () -> pub.frames().size() == 3);
      assertEquals(List.of(peerJoined(v1), peerJoined(v2), peerLeft(v2, "left")), received(pub));
      settle();
      assertEquals(List.of(), v1.frames());
    }

    @Test
    @DisplayName("a second leave is a no-op, and the last one out removes the room from the admin view")
    void idempotentLeave() {
      freshRoom();
      Recorder alice = join(0, "alice");
      Recorder bob = join(1, "bob");
      leave(1, bob, LeaveReason.LEFT);
      leave(1, bob, LeaveReason.DISCONNECTED);
      settle();
      assertEquals(List.of(peerJoined(bob), peerLeft(bob, "left")), received(alice));
      leave(0, alice, LeaveReason.LEFT);
      assertNull(await(directory(node(0)).describeRoom(room)));
    }

    @Test
    @DisplayName("the same identity in another room is another participant")
    void otherRoom() {
      freshRoom();
      Recorder here = join(0, "alice");
      freshRoom();
      Recorder there = join(1, "alice");
      settle();
      assertEquals(List.of(), here.evictions);
      assertEquals(List.of(), there.welcomePeers);
    }
  }

  @Nested
  @DisplayName("replacement and the room limit")
  class Limits {

    @Test
    @DisplayName("the same identity again replaces the old session: evicted, peer-left replaced, then peer-joined")
    void replaced() {
      freshRoom();
      Recorder old = join(0, "alice");
      Recorder bob = join(1, "bob");
      Recorder viewer = join(0, "vic", Role.VIEWER);
      eventually("bob hears of vic", () -> bob.frames().size() == 1);
      bob.clear();
      Recorder fresh = join(1, "alice");
      eventually("old alice is evicted", () -> !old.evictions.isEmpty());
      assertEquals(List.of(LeaveReason.REPLACED), old.evictions);
      eventually("bob hears", () -> bob.frames().size() == 2);
      assertEquals(List.of(peerLeft(old, "replaced"), peerJoined(fresh)), received(bob));
      eventually("vic hears", () -> viewer.frames().size() == 2);
      assertEquals(List.of(peerLeft(old, "replaced"), peerJoined(fresh)), received(viewer));
      assertEquals(Set.of(bob.id(), viewer.id()), fresh.welcomePeerIds(), "the new session does not see the old");
    }

    @Test
    @DisplayName("a full room refuses a newcomer and disturbs nobody; viewers count; a replacement still fits")
    void full() {
      freshRoom();
      Recorder alice = join(0, "alice");
      join(1, "bob", Role.VIEWER);
      join(0, "carol");
      eventually("alice hears of both", () -> alice.frames().size() == 2);
      Recorder dave = participant(1, "dave", Role.PUBLISHER);
      assertInstanceOf(RoomFullException.class, failure(directory(node(1)).join(dave.participant, "h", dave)));
      Recorder alice2 = join(1, "alice");
      assertEquals(LIMIT - 1, alice2.welcomePeers.size());
      settle();
      assertEquals(3, alice.frames().size() + alice.evictions.size(), "alice saw bob and carol, then was replaced");
    }

    @Test
    @DisplayName("after someone leaves, a newcomer fits again")
    void spaceAfterLeave() {
      freshRoom();
      join(0, "a");
      Recorder b = join(1, "b");
      join(0, "c");
      leave(1, b, LeaveReason.LEFT);
      Recorder d = join(1, "d");
      assertEquals(2, d.welcomePeers.size());
    }
  }

  @Nested
  @DisplayName("kick")
  class Kick {

    @Test
    @DisplayName("the kicked session is evicted; those who saw it get peer-left kicked; from any node")
    void kick() {
      freshRoom();
      Recorder alice = join(0, "alice");
      Recorder bob = join(1, "bob");
      assertTrue(await(directory(node(0)).kick(room, bob.id())));
      eventually("bob is evicted", () -> !bob.evictions.isEmpty());
      assertEquals(List.of(LeaveReason.KICKED), bob.evictions);
      eventually("alice hears", () -> alice.frames().size() == 2);
      assertEquals(peerLeft(bob, "kicked"), received(alice).get(1));
      leave(1, bob, LeaveReason.DISCONNECTED); // its own late leave
      settle();
      assertEquals(2, alice.frames().size(), "nobody hears of it twice");
    }

    @Test
    @DisplayName("an unknown session or room is not found")
    void unknown() {
      freshRoom();
      join(0, "alice");
      assertFalse(await(directory(node(1)).kick(room, Ids.sessionId())));
      assertFalse(await(directory(node(1)).kick("no-such-room", Ids.sessionId())));
    }
  }

  @Nested
  @DisplayName("admin views")
  class Admin {

    @Test
    @DisplayName("describeRoom lists every participant, viewers included, with its node and state")
    void describeRoom() {
      freshRoom();
      Recorder pub = join(0, "pub");
      Recorder viewer = join(1, "view", Role.VIEWER);
      JsonObject described = await(directory(node(1)).describeRoom(room));
      assertEquals(room, described.getString("room"));
      JsonArray participants = described.getJsonArray("participants");
      assertEquals(2, participants.size());
      JsonObject first = participants.getJsonObject(0);
      assertEquals(pub.id(), first.getString("id"));
      assertEquals(node(0).node().nodeId(), first.getString("node"));
      assertEquals("connected", first.getString("state"));
      assertEquals(viewer.id(), participants.getJsonObject(1).getString("id"));
      suspend(0, pub);
      assertEquals("grace", await(directory(node(1)).describeRoom(room)).getJsonArray("participants")
        .getJsonObject(0).getString("state"));
      assertNull(await(directory(node(0)).describeRoom("no-such-room")));
    }

    @Test
    @DisplayName("describeRooms lists every room sorted by name with its counts")
    void describeRooms() {
      String first = "aaa-" + freshRoom();
      room = first;
      join(0, "pub");
      join(1, "view", Role.VIEWER);
      JsonArray rooms = await(directory(node(0)).describeRooms());
      JsonObject entry = rooms.stream().map(JsonObject.class::cast).filter(r -> r.getString("room").equals(first))
        .findFirst().orElseThrow();
      assertEquals(new JsonObject().put("room", first).put("participants", 2).put("publishers", 1).put("viewers", 1),
        entry);
      List<String> names = rooms.stream().map(r -> ((JsonObject) r).getString("room")).toList();
      assertEquals(names.stream().sorted().toList(), names);
    }
  }

  // ---- resume ----

  @Nested
  @DisplayName("resume")
  class Resume {

    @Test
    @DisplayName("a dropped session waits unannounced; resumed, it keeps its id and gets what was sent meanwhile")
    void resumeOnSameNode() {
      resumeOn(0);
    }

    @Test
    @DisplayName("resumed on the other node, nothing is lost or reordered and nobody hears of it")
    void resumeOnOtherNode() {
      resumeOn(1);
    }

    private void resumeOn(int target) {
      freshRoom();
      Recorder alice = join(0, "alice");
      Recorder bob = join(1, "bob");
      eventually("alice hears of bob", () -> alice.frames().size() == 1);
      suspend(0, alice);
      for (int i = 0; i < 3; i++) {
        bob.send(alice, new JsonObject().put("type", "message").put("n", i));
      }
      settle();
      Recorder back = resume(target, alice, "alice");
      assertTrue(back.resumed);
      assertEquals(alice.id(), back.participant.id());
      assertEquals("ALICE", back.participant.name(), "a resume keeps the participant as first admitted");
      assertEquals(Set.of(bob.id()), back.welcomePeerIds());
      bob.send(alice, new JsonObject().put("type", "message").put("n", 3));
      awaitFrames(back, 4);
      List<Integer> order = back.frames().stream().map(f -> f.getInteger("n")).toList();
      assertEquals(List.of(0, 1, 2, 3), order, "in order, nothing lost, nothing twice");
      assertTrue(back.admittedAt < back.frames().get(0).getLong("at"), "welcome first");
      settle();
      assertEquals(List.of(peerJoined(bob)), received(alice), "the old connection got nothing more");
      assertEquals(List.of(), bob.frames(), "bob heard of neither the drop nor the resume");
      // bob's frames now reach the resumed session directly
      bob.send(alice, new JsonObject().put("type", "message").put("n", 4));
      awaitFrames(back, 5);
      assertEquals(node(target).node().nodeId(), await(directory(node(1)).describeRoom(room))
        .getJsonArray("participants").getJsonObject(0).getString("node"));
    }

    @Test
    @DisplayName("presence changes during the grace period are not replayed: the resumed welcome lists the room now")
    void presenceNotReplayed() {
      freshRoom();
      Recorder alice = join(0, "alice");
      Recorder bob = join(1, "bob");
      suspend(0, alice);
      Recorder carol = join(1, "carol");
      leave(1, bob, LeaveReason.LEFT);
      settle();
      Recorder back = resume(1, alice, "alice");
      assertEquals(Set.of(carol.id()), back.welcomePeerIds());
      settle();
      assertEquals(List.of(), back.frames());
    }

    @Test
    @DisplayName("a grace period that ends without a resume is announced as peer-left disconnected")
    void expiry() {
      freshRoom();
      Recorder alice = join(0, "alice");
      Recorder bob = join(1, "bob");
      suspend(0, alice);
      settle();
      assertEquals(List.of(), bob.frames(), "not yet");
      eventually("bob hears alice left", () -> bob.frames().size() == 1);
      assertEquals(List.of(peerLeft(alice, "disconnected")), received(bob));
      assertInstanceOf(ResumeFailedException.class, resumeFailure(1, alice, "alice", alice.resumeHash));
    }

    @Test
    @DisplayName("a grace buffer that overflows makes the resume fail; the session leaves, disconnected")
    void overflow() {
      freshRoom();
      Recorder alice = join(0, "alice");
      Recorder bob = join(1, "bob");
      suspend(0, alice);
      for (int i = 0; i <= BUFFER_FRAMES; i++) {
        bob.send(alice, new JsonObject().put("type", "message").put("n", i));
      }
      settle();
      Throwable failed = resumeFailure(1, alice, "alice", alice.resumeHash);
      assertEquals(ResumeFailedException.Reason.OVERFLOWED, ((ResumeFailedException) failed).reason());
      eventually("bob hears alice left", () -> bob.frames().size() == 1);
      assertEquals(List.of(peerLeft(alice, "disconnected")), received(bob));
    }

    @Test
    @DisplayName("a stolen token with another identity is refused, and the real client can still resume")
    void stolenToken() {
      freshRoom();
      Recorder alice = join(0, "alice");
      suspend(0, alice);
      Throwable failed = resumeFailure(1, alice, "mallory", alice.resumeHash);
      assertEquals(ResumeFailedException.Reason.OTHER_IDENTITY, ((ResumeFailedException) failed).reason());
      Throwable forged = resumeFailure(1, alice, "alice", "not-the-token");
      assertEquals(ResumeFailedException.Reason.UNKNOWN_SESSION, ((ResumeFailedException) forged).reason());
      assertTrue(resume(1, alice, "alice").resumed);
    }

    @Test
    @DisplayName("a token works once: the resumed session has a new one")
    void singleUse() {
      freshRoom();
      Recorder alice = join(0, "alice");
      suspend(0, alice);
      Recorder back = resume(1, alice, "alice");
      Throwable reused = resumeFailure(0, alice, "alice", alice.resumeHash);
      assertEquals(ResumeFailedException.Reason.UNKNOWN_SESSION, ((ResumeFailedException) reused).reason());
      suspend(1, back);
      assertTrue(resume(0, back, "alice").resumed, "the new token works");
    }

    @Test
    @DisplayName("a connection whose drop was not noticed yet is closed when the client resumes elsewhere")
    void resumeWhileConnected() {
      freshRoom();
      Recorder alice = join(0, "alice");
      Recorder bob = join(1, "bob");
      Recorder back = resume(1, alice, "alice");
      eventually("the old connection is handed off", () -> alice.successor != null);
      bob.send(alice, new JsonObject().put("type", "message").put("n", 1));
      awaitFrames(back, 1);
      settle();
      assertEquals(List.of(), bob.frames());
    }

    @Test
    @DisplayName("a fresh join of the identity during the grace period displaces the waiting session, disconnected")
    void displaced() {
      freshRoom();
      Recorder alice = join(0, "alice");
      Recorder bob = join(1, "bob");
      suspend(0, alice);
      Recorder again = join(1, "alice");
      eventually("bob hears", () -> bob.frames().size() == 2);
      assertEquals(List.of(peerLeft(alice, "disconnected"), peerJoined(again)), received(bob));
      assertEquals(List.of(), alice.evictions, "a waiting session is not evicted: it has no connection");
    }

    @Test
    @DisplayName("a kick during the grace period reaches the waiting session (its TURN credentials are revoked)")
    void kickDuringGrace() {
      freshRoom();
      Recorder alice = join(0, "alice");
      join(1, "bob");
      suspend(0, alice);
      assertTrue(await(directory(node(1)).kick(room, alice.id())));
      eventually("alice is evicted", () -> !alice.evictions.isEmpty());
      assertEquals(List.of(LeaveReason.KICKED), alice.evictions);
      Throwable failed = resumeFailure(0, alice, "alice", alice.resumeHash);
      assertEquals(ResumeFailedException.Reason.UNKNOWN_SESSION, ((ResumeFailedException) failed).reason());
    }
  }

  @Test
  @DisplayName("rooms.duplicateIdentity reject: a connected identity refuses the newcomer and disturbs nobody")
  void rejectDuplicates() {
    try (Nodes rejecting = start(new JsonObject().put("rooms", new JsonObject().put("duplicateIdentity", "reject")))) {
      room = TestNode.unique("room");
      Recorder alice = new Recorder(new Participant(Ids.sessionId(), room, "alice", "A", Role.PUBLISHER,
        new JsonObject(), rejecting.node(0).node().nodeId()));
      await(directory(rejecting.node(0)).join(alice.participant, "h", alice));
      Recorder again = new Recorder(new Participant(Ids.sessionId(), room, "alice", "A", Role.PUBLISHER,
        new JsonObject(), rejecting.node(1).node().nodeId()));
      assertInstanceOf(IdentityTakenException.class,
        failure(directory(rejecting.node(1)).join(again.participant, "h", again)));
      assertEquals(List.of(), alice.evictions);
      assertNotNull(alice.room.member(alice.id()));
    }
  }

  @Test
  @DisplayName("a resume with a malformed token is refused as such, and the session it names is not touched")
  void malformedResume() {
    freshRoom();
    Recorder alice = join(0, "alice");
    Throwable failed = resumeFailure(0, alice, "alice", null);
    assertEquals(ResumeFailedException.Reason.MALFORMED, ((ResumeFailedException) failed).reason());
    settle();
    assertNull(alice.successor);
    assertSame(alice, alice.room.member(alice.id()).endpoint());
  }
}
