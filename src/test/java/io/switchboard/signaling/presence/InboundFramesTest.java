package io.switchboard.signaling.presence;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.metrics.PresenceMetrics;
import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.room.Member;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.Role;
import io.switchboard.signaling.room.Room;
import io.switchboard.signaling.room.SessionEndpoint;
import io.switchboard.signaling.session.Ids;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("InboundFrames: a frame from another node is delivered only when its sender checks out")
class InboundFramesTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Map<String, RoomReplica> localSessions = new HashMap<>();
  private InboundFrames inbound;
  private RoomReplica replica;
  private Recorder alice;
  private final String aliceId = Ids.sessionId();
  private final String bobId = Ids.sessionId();

  /** A local session that records what it is given. */
  private static final class Recorder implements SessionEndpoint {
    final List<String> frames = new ArrayList<>();

    @Override
    public void admitted(Room room, Participant self, List<Participant> visiblePeers, boolean resumed) {
    }

    @Override
    public void deliver(String frame) {
      frames.add(frame);
    }

    @Override
    public void evicted(LeaveReason reason) {
    }
  }

  private static Participant participant(String id, String identity, Role role, String node) {
    return new Participant(id, "room-a", identity, identity, role, new JsonObject(), node);
  }

  /** A member on another node; its route is never used here (nothing is sent on). */
  private static Member remote(String id, String identity, Role role, String node) {
    NodeRoute unused = new NodeRoute(null, null, "here", node);
    return new Member(participant(id, identity, role, node), new RemoteEndpoint(unused, id));
  }

  @BeforeEach
  void room() {
    inbound = new InboundFrames(localSessions, new PresenceMetrics(registry, () -> 0, () -> 0));
    replica = new RoomReplica("room-a");
    replica.sequencer.reset(1, 1);
    alice = new Recorder();
    replica.room.add(new Member(participant(aliceId, "alice", Role.PUBLISHER, "here"), alice));
    replica.room.add(remote(bobId, "bob", Role.PUBLISHER, "node-b"));
    localSessions.put(aliceId, replica);
  }

  private static Buffer envelope(String target, String senderNode, String senderId, String body) {
    String frame = "{\"from\":\"" + senderId + "\"," + body + "}";
    return FrameEnvelope.encode(FrameEnvelope.ascii(target), FrameEnvelope.ascii(senderNode), frame);
  }

  private double refused() {
    return registry.get("switchboard.cluster.frames.refused").counter().count();
  }

  @Test
  @DisplayName("from a member of the room, held by the node that sent it: delivered as is")
  void delivered() {
    inbound.receive(envelope(aliceId, "node-b", bobId, "\"type\":\"offer\",\"sdp\":\"v=0\""));
    assertEquals(List.of("{\"from\":\"" + bobId + "\",\"type\":\"offer\",\"sdp\":\"v=0\"}"), alice.frames);
    assertEquals(0, refused());
  }

  @Test
  @DisplayName("a node speaking for a session it does not hold, an unknown sender, or a mangled frame: refused")
  void impersonation() {
    inbound.receive(envelope(aliceId, "node-c", bobId, "\"type\":\"offer\",\"sdp\":\"forged\""));
    inbound.receive(envelope(aliceId, "node-b", Ids.sessionId(), "\"type\":\"offer\",\"sdp\":\"forged\""));
    inbound.receive(envelope(aliceId, "node-b", aliceId, "\"type\":\"offer\",\"sdp\":\"as herself\""));
    inbound.receive(FrameEnvelope.encode(FrameEnvelope.ascii(aliceId), FrameEnvelope.ascii("node-b"),
      "{\"type\":\"offer\",\"from\":\"" + bobId + "\"}"));
    assertEquals(List.of(), alice.frames);
    assertEquals(4, refused());
  }

  @Test
  @DisplayName("a broadcast envelope names several receivers: each is checked on its own and gets the frame once")
  void broadcastToSeveral() {
    Recorder erin = new Recorder();
    String erinId = Ids.sessionId();
    replica.room.add(new Member(participant(erinId, "erin", Role.PUBLISHER, "here"), erin));
    localSessions.put(erinId, replica);
    String frame = "{\"from\":\"" + bobId + "\",\"type\":\"message\",\"data\":1}";
    List<byte[]> targets = List.of(FrameEnvelope.ascii(aliceId), FrameEnvelope.ascii(Ids.sessionId()),
      FrameEnvelope.ascii(erinId), FrameEnvelope.ascii(bobId));
    inbound.receive(FrameEnvelope.encode(targets, 0, targets.size(), FrameEnvelope.ascii("node-b"), frame));
    assertEquals(List.of(frame), alice.frames);
    assertEquals(List.of(frame), erin.frames);
    assertEquals(0, refused(), "receivers this node does not hold are skipped, as a directed frame to them is");
  }

  @Test
  @DisplayName("a broadcast envelope takes at most 255 receivers, and an envelope naming none is refused")
  void envelopeBounds() {
    List<byte[]> targets = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      targets.add(FrameEnvelope.ascii(Ids.sessionId()));
    }
    byte[] node = FrameEnvelope.ascii("node-b");
    List<FrameEnvelope> decoded = FrameEnvelope.decode(FrameEnvelope.encode(targets, 45, 300, node, "{}"));
    assertEquals(255, decoded.size());
    assertEquals(new String(targets.get(299), StandardCharsets.US_ASCII), decoded.get(254).target());
    assertThrows(IllegalArgumentException.class, () -> FrameEnvelope.encode(targets, 0, 256, node, "{}"));
    inbound.receive(Buffer.buffer(new byte[] {0, 6, 'n', 'o', 'd', 'e', '-', 'b', '{', '}'}));
    assertEquals(1, refused());
  }

  @Test
  @DisplayName("a viewer may not address a viewer across nodes either")
  void viewerToViewer() {
    RoomReplica viewers = new RoomReplica("room-v");
    Recorder carol = new Recorder();
    String carolId = Ids.sessionId();
    String daveId = Ids.sessionId();
    viewers.room.add(new Member(participant(carolId, "carol", Role.VIEWER, "here"), carol));
    viewers.room.add(remote(daveId, "dave", Role.VIEWER, "node-b"));
    localSessions.put(carolId, viewers);
    inbound.receive(envelope(carolId, "node-b", daveId, "\"type\":\"message\",\"data\":1"));
    assertEquals(List.of(), carol.frames);
    assertEquals(1, refused());
  }

  @Test
  @DisplayName("envelopes that are short, empty or missing are refused without an exception")
  void malformed() {
    inbound.receive(Buffer.buffer(new byte[] {40, 'a'}));
    inbound.receive(Buffer.buffer());
    inbound.receive(null);
    assertEquals(List.of(), alice.frames);
    assertEquals(3, refused());
  }

  @Test
  @DisplayName("a frame whose sender's join still waits in the delta buffer is parked, then delivered in order")
  void parkedUntilJoinApplied() {
    String carolId = Ids.sessionId();
    MemberRecord carol = new MemberRecord(carolId, "carol", "carol", "publisher", "{}", "node-c");
    assertEquals(DeltaSequencer.Verdict.GAP, replica.sequencer.offer(new RoomChange("room-a", true, null, 1, 3,
      List.of(), List.of(carol), List.of(), null, Set.of("node-c"), Map.of())));
    inbound.receive(envelope(aliceId, "node-c", carolId, "\"type\":\"offer\",\"n\":1"));
    inbound.receive(envelope(aliceId, "node-b", bobId, "\"type\":\"message\",\"n\":2"));
    assertEquals(List.of(), alice.frames, "bob's frame waits behind carol's: nothing overtakes");
    replica.room.add(remote(carolId, "carol", Role.PUBLISHER, "node-c")); // the delta is applied
    inbound.flush(replica);
    assertEquals(2, alice.frames.size());
    assertEquals(1, new JsonObject(alice.frames.get(0)).getInteger("n"));
    assertEquals(2, new JsonObject(alice.frames.get(1)).getInteger("n"));
    assertEquals(0, refused());
  }

  @Test
  @DisplayName("parking is bounded, and what waits when the room is re-read without the sender is refused")
  void parkingBounded() {
    String carolId = Ids.sessionId();
    replica.sequencer.offer(new RoomChange("room-a", true, null, 1, 3, List.of(),
      List.of(new MemberRecord(carolId, "carol", "carol", "publisher", "{}", "node-c")), List.of(), null, Set.of(),
      Map.of()));
    for (int i = 0; i < RoomReplica.MAX_PARKED + 10; i++) {
      inbound.receive(envelope(aliceId, "node-c", carolId, "\"type\":\"message\",\"n\":" + i));
    }
    assertEquals(RoomReplica.MAX_PARKED, replica.parked.size());
    assertEquals(10, refused());
    replica.sequencer.clear(); // a re-read of the room that no longer has carol
    inbound.discard(replica);
    assertEquals(0, replica.parked.size());
    assertEquals(0, replica.parkedChars);
    assertEquals(RoomReplica.MAX_PARKED + 10, refused());
    assertEquals(List.of(), alice.frames);
  }
}
