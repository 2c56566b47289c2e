package io.switchboard.signaling.room;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("RoomRegistry: admission, visibility, replacement, leave and kick")
class RoomRegistryTest {

  private static final String ROOM = "standup";

  /** Every call on every endpoint, in order: "s2 admitted", "s2 evicted REPLACED", "s2 got peer-left s1 replaced". */
  private final List<String> log = new ArrayList<>();
  private RoomRegistry registry;

  /** A session as the room sees it: records what the room does to it. */
  final class Recorder implements SessionEndpoint {
    final Participant participant;
    final List<JsonObject> frames = new ArrayList<>();
    final List<LeaveReason> evictions = new ArrayList<>();
    List<Participant> welcomePeers;
    Room welcomeRoom;
    int admittedCalls;
    boolean routableWhenAdmitted;

    Recorder(Participant participant) {
      this.participant = participant;
    }

    String id() {
      return participant.id();
    }

    @Override
    public void admitted(Room room, List<Participant> visiblePeers) {
      admittedCalls++;
      welcomeRoom = room;
      welcomePeers = List.copyOf(visiblePeers);
      routableWhenAdmitted = room.member(id()) != null;
      log.add(id() + " admitted");
    }

    @Override
    public void deliver(String frame) {
      JsonObject json = new JsonObject(frame);
      frames.add(json);
      String subject = json.containsKey("peer") ? json.getJsonObject("peer").getString("id") : json.getString("id");
      log.add(id() + " got " + json.getString("type") + " " + subject
        + (json.containsKey("reason") ? " " + json.getString("reason") : ""));
    }

    @Override
    public void evicted(LeaveReason reason) {
      evictions.add(reason);
      log.add(id() + " evicted " + reason);
    }

    Set<String> welcomePeerIds() {
      return welcomePeers.stream().map(Participant::id).collect(Collectors.toSet());
    }
  }

  @BeforeEach
  void setUp() {
    registry = new RoomRegistry(100);
  }

  private static Participant participant(String id, String identity, Role role) {
    return new Participant(id, ROOM, identity, identity.toUpperCase(), role, new JsonObject().put("k", identity), "node-1");
  }

  private Recorder join(RoomRegistry into, String id, String identity, Role role) {
    Recorder recorder = new Recorder(participant(id, identity, role));
    into.join(recorder.participant, recorder);
    return recorder;
  }

  private Recorder join(String id, String identity, Role role) {
    return join(registry, id, identity, role);
  }

  private static JsonObject peerJoined(String id, String identity, Role role) {
    return new JsonObject().put("type", "peer-joined").put("peer", new JsonObject().put("id", id)
      .put("identity", identity).put("name", identity.toUpperCase()).put("role", role.wire())
      .put("meta", new JsonObject().put("k", identity)));
  }

  private static JsonObject peerLeft(String id, String reason) {
    return new JsonObject().put("type", "peer-left").put("id", id).put("reason", reason);
  }

  private static void clear(Recorder... recorders) {
    for (Recorder r : recorders) {
      r.frames.clear();
    }
  }

  @Nested
  @DisplayName("welcome peers: who a newcomer sees")
  class WelcomePeers {

    @Test
    @DisplayName("the first participant is admitted with no peers and nobody is told")
    void first() {
      Recorder alice = join("s1", "alice", Role.PUBLISHER);
      assertEquals(1, alice.admittedCalls);
      assertEquals(List.of(), alice.welcomePeers);
      assertEquals(List.of(), alice.frames, "nobody sends a session its own peer-joined");
      assertEquals(ROOM, alice.welcomeRoom.name());
    }

    @Test
    @DisplayName("a viewer sees only the publishers")
    void viewerSeesPublishers() {
      join("p1", "pub1", Role.PUBLISHER);
      join("v1", "view1", Role.VIEWER);
      join("p2", "pub2", Role.PUBLISHER);
      Recorder viewer = join("v2", "view2", Role.VIEWER);
      assertEquals(Set.of("p1", "p2"), viewer.welcomePeerIds());
    }

    @Test
    @DisplayName("a publisher sees every other participant, viewers included, not itself")
    void publisherSeesAll() {
      join("p1", "pub1", Role.PUBLISHER);
      join("v1", "view1", Role.VIEWER);
      join("v2", "view2", Role.VIEWER);
      Recorder publisher = join("p2", "pub2", Role.PUBLISHER);
      assertEquals(Set.of("p1", "v1", "v2"), publisher.welcomePeerIds());
      assertEquals(3, publisher.welcomePeers.size());
    }
  }

  @Nested
  @DisplayName("peer-joined: who hears of a newcomer")
  class PeerJoined {

    @Test
    @DisplayName("a publisher's arrival is told to everyone, publishers and viewers")
    void publisherJoins() {
      Recorder p1 = join("p1", "pub1", Role.PUBLISHER);
      Recorder v1 = join("v1", "view1", Role.VIEWER);
      clear(p1, v1);
      Recorder p2 = join("p2", "pub2", Role.PUBLISHER);
      assertEquals(List.of(peerJoined("p2", "pub2", Role.PUBLISHER)), p1.frames);
      assertEquals(List.of(peerJoined("p2", "pub2", Role.PUBLISHER)), v1.frames);
      assertEquals(List.of(), p2.frames);
    }

    @Test
    @DisplayName("a viewer's arrival is told to publishers only, never to other viewers")
    void viewerJoins() {
      Recorder p1 = join("p1", "pub1", Role.PUBLISHER);
      Recorder p2 = join("p2", "pub2", Role.PUBLISHER);
      Recorder v1 = join("v1", "view1", Role.VIEWER);
      clear(p1, p2, v1);
      Recorder v2 = join("v2", "view2", Role.VIEWER);
      assertEquals(List.of(peerJoined("v2", "view2", Role.VIEWER)), p1.frames);
      assertEquals(List.of(peerJoined("v2", "view2", Role.VIEWER)), p2.frames);
      assertEquals(List.of(), v1.frames);
      assertEquals(List.of(), v2.frames);
    }

    @Test
    @DisplayName("admitted() comes before anyone hears of the newcomer, and it is not yet routable then")
    void admittedFirst() {
      join("p1", "pub1", Role.PUBLISHER);
      join("v1", "view1", Role.VIEWER);
      log.clear();
      Recorder p2 = join("p2", "pub2", Role.PUBLISHER);
      assertEquals("p2 admitted", log.get(0), log.toString());
      assertEquals(Set.of("p1 got peer-joined p2", "v1 got peer-joined p2"), Set.copyOf(log.subList(1, log.size())));
      assertEquals(3, log.size(), log.toString());
      assertFalse(p2.routableWhenAdmitted, "a session must not receive frames before its welcome");
      assertSame(p2.welcomeRoom.member("p2").endpoint(), p2, "routable after admission");
    }

    @Test
    @DisplayName("same identity in another room is not a replacement")
    void otherRoomIndependent() {
      Recorder here = join("s1", "alice", Role.PUBLISHER);
      Recorder there = new Recorder(new Participant("s2", "other-room", "alice", "A", Role.PUBLISHER, new JsonObject(), "n"));
      registry.join(there.participant, there);
      assertEquals(List.of(), here.evictions);
      assertEquals(List.of(), here.frames);
      assertEquals(List.of(), there.welcomePeers);
      assertEquals(2, registry.roomCount());
    }
  }

  @Nested
  @DisplayName("replacement: same identity joins again")
  class Replacement {

    @Test
    @DisplayName("the old session is evicted REPLACED; others get peer-left replaced, then peer-joined")
    void replaced() {
      Recorder old = join("s1", "alice", Role.PUBLISHER);
      Recorder bob = join("s2", "bob", Role.PUBLISHER);
      Recorder viewer = join("s3", "vic", Role.VIEWER);
      clear(old, bob, viewer);

      Recorder fresh = join("s4", "alice", Role.PUBLISHER);

      assertEquals(List.of(LeaveReason.REPLACED), old.evictions);
      assertEquals(List.of(), old.frames, "the replaced session is not told about itself or its successor");
      List<JsonObject> expected = List.of(peerLeft("s1", "replaced"), peerJoined("s4", "alice", Role.PUBLISHER));
      assertEquals(expected, bob.frames);
      assertEquals(expected, viewer.frames);
      assertEquals(Set.of("s2", "s3"), fresh.welcomePeerIds(), "the new session does not see the old one");
      assertNull(fresh.welcomeRoom.member("s1"));
      assertEquals(3, fresh.welcomeRoom.size());
    }

    @Test
    @DisplayName("order: eviction, peer-left, then admitted, then peer-joined")
    void order() {
      join("s1", "alice", Role.PUBLISHER);
      join("s2", "bob", Role.PUBLISHER);
      log.clear();
      join("s4", "alice", Role.PUBLISHER);
      assertEquals(List.of(
        "s1 evicted REPLACED",
        "s2 got peer-left s1 replaced",
        "s4 admitted",
        "s2 got peer-joined s4"), log);
    }

    @Test
    @DisplayName("replacing a viewer tells only publishers")
    void viewerReplaced() {
      Recorder pub = join("p1", "pub", Role.PUBLISHER);
      Recorder otherViewer = join("v1", "view1", Role.VIEWER);
      Recorder old = join("v2", "view2", Role.VIEWER);
      clear(pub, otherViewer, old);
      join("v3", "view2", Role.VIEWER);
      assertEquals(List.of(LeaveReason.REPLACED), old.evictions);
      assertEquals(List.of(peerLeft("v2", "replaced"), peerJoined("v3", "view2", Role.VIEWER)), pub.frames);
      assertEquals(List.of(), otherViewer.frames);
    }

    @Test
    @DisplayName("a replacement is admitted into a full room")
    void replacementIntoFullRoom() {
      RoomRegistry small = new RoomRegistry(2);
      Recorder old = join(small, "s1", "alice", Role.PUBLISHER);
      join(small, "s2", "bob", Role.PUBLISHER);
      Recorder fresh = join(small, "s3", "alice", Role.PUBLISHER);
      assertEquals(1, fresh.admittedCalls);
      assertEquals(List.of(LeaveReason.REPLACED), old.evictions);
      assertEquals(2, fresh.welcomeRoom.size());
    }

    @Test
    @DisplayName("the replaced session's later leave is a no-op: nobody hears of it twice, the successor stays")
    void lateLeaveOfReplaced() {
      join("s1", "alice", Role.PUBLISHER);
      Recorder bob = join("s2", "bob", Role.PUBLISHER);
      Recorder fresh = join("s3", "alice", Role.PUBLISHER);
      clear(bob);
      assertNull(registry.leave(ROOM, "s1", LeaveReason.DISCONNECTED));
      assertEquals(List.of(), bob.frames);
      assertNotNull(fresh.welcomeRoom.member("s3"));
      // the identity still maps to the successor: joining again replaces s3
      Recorder third = join("s4", "alice", Role.PUBLISHER);
      assertEquals(List.of(LeaveReason.REPLACED), fresh.evictions);
      assertEquals(Set.of("s2"), third.welcomePeerIds());
    }
  }

  @Nested
  @DisplayName("room limit")
  class RoomFull {

    @Test
    @DisplayName("the third of a limit of 2 is refused and nobody is disturbed")
    void refused() {
      RoomRegistry small = new RoomRegistry(2);
      Recorder alice = join(small, "s1", "alice", Role.PUBLISHER);
      Recorder bob = join(small, "s2", "bob", Role.VIEWER);
      clear(alice, bob);
      log.clear();
      Recorder carol = new Recorder(participant("s3", "carol", Role.PUBLISHER));
      assertThrows(RoomFullException.class, () -> small.join(carol.participant, carol));
      assertEquals(0, carol.admittedCalls);
      assertEquals(List.of(), log, "nobody is called");
      assertEquals(2, alice.welcomeRoom.size());
      assertNull(alice.welcomeRoom.member("s3"));
      assertEquals(2, small.describeRoom(ROOM).getJsonArray("participants").size());
    }

    @Test
    @DisplayName("viewers count towards the limit")
    void viewersCount() {
      RoomRegistry small = new RoomRegistry(2);
      join(small, "v1", "view1", Role.VIEWER);
      join(small, "v2", "view2", Role.VIEWER);
      Recorder pub = new Recorder(participant("p1", "pub", Role.PUBLISHER));
      assertThrows(RoomFullException.class, () -> small.join(pub.participant, pub));
    }

    @Test
    @DisplayName("a full room does not stop another room")
    void otherRoomStillOpen() {
      RoomRegistry small = new RoomRegistry(1);
      join(small, "s1", "alice", Role.PUBLISHER);
      Recorder there = new Recorder(new Participant("s2", "other", "bob", "B", Role.PUBLISHER, new JsonObject(), "n"));
      small.join(there.participant, there);
      assertEquals(1, there.admittedCalls);
    }

    @Test
    @DisplayName("after someone leaves, a newcomer fits again")
    void spaceAfterLeave() {
      RoomRegistry small = new RoomRegistry(1);
      join(small, "s1", "alice", Role.PUBLISHER);
      small.leave(ROOM, "s1", LeaveReason.LEFT);
      assertEquals(1, join(small, "s2", "bob", Role.PUBLISHER).admittedCalls);
    }
  }

  @Nested
  @DisplayName("leave")
  class Leave {

    @Test
    @DisplayName("those who saw the leaver get peer-left with the reason; the leaver gets nothing")
    void leave() {
      Recorder alice = join("s1", "alice", Role.PUBLISHER);
      Recorder bob = join("s2", "bob", Role.PUBLISHER);
      Recorder viewer = join("s3", "vic", Role.VIEWER);
      clear(alice, bob, viewer);
      Member removed = registry.leave(ROOM, "s2", LeaveReason.LEFT);
      assertSame(bob.participant, removed.participant());
      assertEquals(List.of(peerLeft("s2", "left")), alice.frames);
      assertEquals(List.of(peerLeft("s2", "left")), viewer.frames);
      assertEquals(List.of(), bob.frames);
      assertEquals(List.of(), bob.evictions, "leaving is not an eviction");
    }

    @Test
    @DisplayName("a viewer's departure is told to publishers only")
    void viewerLeaves() {
      Recorder pub = join("p1", "pub", Role.PUBLISHER);
      Recorder otherViewer = join("v1", "view1", Role.VIEWER);
      join("v2", "view2", Role.VIEWER);
      clear(pub, otherViewer);
      registry.leave(ROOM, "v2", LeaveReason.DISCONNECTED);
      assertEquals(List.of(peerLeft("v2", "disconnected")), pub.frames);
      assertEquals(List.of(), otherViewer.frames);
    }

    @Test
    @DisplayName("is idempotent: a second leave returns null and tells nobody")
    void idempotent() {
      Recorder alice = join("s1", "alice", Role.PUBLISHER);
      join("s2", "bob", Role.PUBLISHER);
      assertNotNull(registry.leave(ROOM, "s2", LeaveReason.LEFT));
      clear(alice);
      assertNull(registry.leave(ROOM, "s2", LeaveReason.LEFT));
      assertNull(registry.leave(ROOM, "s2", LeaveReason.DISCONNECTED));
      assertNull(registry.leave(ROOM, "nobody", LeaveReason.LEFT));
      assertNull(registry.leave("no-such-room", "s1", LeaveReason.LEFT));
      assertEquals(List.of(), alice.frames);
    }

    @Test
    @DisplayName("the last one out removes the room")
    void lastOutRemovesRoom() {
      join("s1", "alice", Role.PUBLISHER);
      join("s2", "bob", Role.VIEWER);
      registry.leave(ROOM, "s1", LeaveReason.LEFT);
      assertEquals(1, registry.roomCount());
      registry.leave(ROOM, "s2", LeaveReason.LEFT);
      assertEquals(0, registry.roomCount());
      assertNull(registry.describeRoom(ROOM));
      assertEquals(new JsonArray(), registry.describeRooms());
    }

    @Test
    @DisplayName("a room emptied and joined again starts fresh")
    void rejoinAfterEmpty() {
      join("s1", "alice", Role.PUBLISHER);
      registry.leave(ROOM, "s1", LeaveReason.LEFT);
      Recorder again = join("s2", "alice", Role.PUBLISHER);
      assertEquals(List.of(), again.welcomePeers);
      assertEquals(1, again.welcomeRoom.size());
    }
  }

  @Nested
  @DisplayName("kick")
  class Kick {

    @Test
    @DisplayName("the kicked session is evicted KICKED; those who saw it get peer-left reason kicked")
    void kick() {
      Recorder alice = join("s1", "alice", Role.PUBLISHER);
      Recorder bob = join("s2", "bob", Role.PUBLISHER);
      Recorder viewer = join("s3", "vic", Role.VIEWER);
      clear(alice, bob, viewer);
      assertTrue(registry.kick(ROOM, "s2"));
      assertEquals(List.of(LeaveReason.KICKED), bob.evictions);
      assertEquals(List.of(), bob.frames);
      assertEquals(List.of(peerLeft("s2", "kicked")), alice.frames);
      assertEquals(List.of(peerLeft("s2", "kicked")), viewer.frames);
      assertNull(alice.welcomeRoom.member("s2"));
    }

    @Test
    @DisplayName("kicking a viewer tells only publishers")
    void kickViewer() {
      Recorder pub = join("p1", "pub", Role.PUBLISHER);
      Recorder otherViewer = join("v1", "view1", Role.VIEWER);
      Recorder target = join("v2", "view2", Role.VIEWER);
      clear(pub, otherViewer);
      assertTrue(registry.kick(ROOM, "v2"));
      assertEquals(List.of(LeaveReason.KICKED), target.evictions);
      assertEquals(List.of(peerLeft("v2", "kicked")), pub.frames);
      assertEquals(List.of(), otherViewer.frames);
    }

    @Test
    @DisplayName("an unknown session or room is not found and nobody is touched")
    void unknown() {
      Recorder alice = join("s1", "alice", Role.PUBLISHER);
      clear(alice);
      assertFalse(registry.kick(ROOM, "nobody"));
      assertFalse(registry.kick("no-such-room", "s1"));
      assertEquals(List.of(), alice.evictions);
      assertEquals(List.of(), alice.frames);
    }

    @Test
    @DisplayName("the kicked session's own later leave is a no-op")
    void leaveAfterKick() {
      Recorder alice = join("s1", "alice", Role.PUBLISHER);
      join("s2", "bob", Role.PUBLISHER);
      registry.kick(ROOM, "s2");
      clear(alice);
      assertNull(registry.leave(ROOM, "s2", LeaveReason.DISCONNECTED));
      assertEquals(List.of(), alice.frames);
      assertFalse(registry.kick(ROOM, "s2"), "a second kick finds nobody");
    }
  }

  @Nested
  @DisplayName("admin views")
  class Describe {

    @Test
    @DisplayName("describeRooms lists every room sorted by name with its counts")
    void describeRooms() {
      Recorder b = new Recorder(new Participant("b1", "beta", "x", "X", Role.PUBLISHER, new JsonObject(), "n1"));
      registry.join(b.participant, b);
      Recorder a1 = new Recorder(new Participant("a1", "alpha", "y", "Y", Role.PUBLISHER, new JsonObject(), "n1"));
      registry.join(a1.participant, a1);
      Recorder a2 = new Recorder(new Participant("a2", "alpha", "z", "Z", Role.VIEWER, new JsonObject(), "n2"));
      registry.join(a2.participant, a2);
      assertEquals(new JsonArray()
        .add(new JsonObject().put("room", "alpha").put("participants", 2).put("publishers", 1).put("viewers", 1))
        .add(new JsonObject().put("room", "beta").put("participants", 1).put("publishers", 1).put("viewers", 0)),
        registry.describeRooms());
    }

    @Test
    @DisplayName("describeRoom lists every participant, viewers included, with its node")
    void describeRoom() {
      join("s1", "alice", Role.PUBLISHER);
      join("s2", "vic", Role.VIEWER);
      JsonObject room = registry.describeRoom(ROOM);
      assertEquals(ROOM, room.getString("room"));
      JsonArray participants = room.getJsonArray("participants");
      assertEquals(2, participants.size());
      JsonObject expectedAlice = peerJoined("s1", "alice", Role.PUBLISHER).getJsonObject("peer").put("node", "node-1");
      JsonObject expectedVic = peerJoined("s2", "vic", Role.VIEWER).getJsonObject("peer").put("node", "node-1");
      Set<JsonObject> actual = new HashSet<>();
      participants.forEach(p -> actual.add((JsonObject) p));
      assertEquals(Set.of(expectedAlice, expectedVic), actual);
    }

    @Test
    @DisplayName("describeRoom of an unknown room is null")
    void unknownRoom() {
      assertNull(registry.describeRoom("nope"));
    }
  }
}
