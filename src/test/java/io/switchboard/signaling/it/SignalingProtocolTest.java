package io.switchboard.signaling.it;

import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Signaling protocol v1 on one node (PROTOCOL.md sections 3-6)")
class SignalingProtocolTest {

  // a dropped session is announced when its grace period ends: keep it short here
  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single(new JsonObject()
    .put("rooms", new JsonObject().put("gracePeriodSeconds", 1)));

  /** The URL-safe base64 alphabet the documented ids and tokens are made of. */
  private static final String URL_SAFE = "[A-Za-z0-9_-]";

  private static TestNode node() {
    return NODES.node();
  }

  private static WsClient join(String identity, String room) {
    return WsClient.join(NODES.client(), node().port(), node().token(identity, room));
  }

  private static WsClient join(String identity, String room, String role) {
    return WsClient.join(NODES.client(), node().port(), node().token(identity, room, role));
  }

  @Nested
  @DisplayName("session start")
  class SessionStart {

    @Test
    @DisplayName("welcome is the first frame and carries id, room, identity, role, peers, iceServers,"
      + " resumeToken, node")
    void welcome() {
      String room = TestNode.unique("room");
      JsonObject welcome = join("alice", room).welcome();
      // docs/protocol.md: 22 URL-safe characters (128 random bits)
      assertTrue(welcome.getString("id").matches(URL_SAFE + "{22}"), "id: " + welcome.encode());
      assertEquals(room, welcome.getString("room"));
      assertEquals("alice", welcome.getString("identity"));
      assertEquals("publisher", welcome.getString("role"));
      assertEquals(new JsonArray(), welcome.getJsonArray("peers"));
      // docs/protocol.md: today <id>.<secret>, 47 URL-safe characters
      String resumeToken = welcome.getString("resumeToken");
      assertTrue(resumeToken.matches(URL_SAFE + "{22}\\." + URL_SAFE + "{24}"), "resumeToken: " + resumeToken);
      assertEquals(welcome.getString("id"), resumeToken.substring(0, 22), "the token names the session");
      // node.id is not set on test nodes: 12 random characters chosen at start
      assertTrue(welcome.getString("node").matches(URL_SAFE + "{12}"), "node: " + welcome.getString("node"));
      assertEquals(node().node().nodeId(), welcome.getString("node"));
    }

    @Test
    @DisplayName("iceServers hold the STUN entry and a TURN entry with REST credentials for this identity,"
      + " ending with the token")
    void iceServers() {
      JsonArray servers = join("carol", TestNode.unique("room")).welcome().getJsonArray("iceServers");
      assertEquals(new JsonArray().add("stun:127.0.0.1:3478"), servers.getJsonObject(0).getJsonArray("urls"));
      JsonObject turn = servers.getJsonObject(1);
      assertEquals(new JsonArray().add("turn:127.0.0.1:3478?transport=udp"), turn.getJsonArray("urls"));
      String[] username = turn.getString("username").split(":", 2);
      long expiry = Long.parseLong(username[0]);
      long now = System.currentTimeMillis() / 1000;
      // the test token lives one hour, less than ice.credentialTtlSeconds (a day): the credential ends with it,
      // moved up to a quarter of its life earlier (at most 900 s)
      assertTrue(expiry <= now + 3600 + 5 && expiry >= now + 3600 - 900 - 5,
        "expiry should be the token's exp, spread at most 900 s earlier: " + (expiry - now) + " s from now");
      assertEquals("carol", username[1]);
      assertEquals(io.switchboard.ice.IceServers.restCredential(TestNode.TURN_KEY, turn.getString("username")),
        turn.getString("credential"));
    }

    @Test
    @DisplayName("a newcomer sees existing peers; existing peers get peer-joined with name, role and meta")
    void presence() {
      String room = TestNode.unique("room");
      WsClient alice = join("alice", room);
      long now = System.currentTimeMillis() / 1000;
      String bobToken = node().sign(new JsonObject().put("sub", "bob").put("room", room).put("exp", now + 600)
        .put("name", "Bob B.").put("meta", new JsonObject().put("avatar", "b.png")));
      WsClient bob = WsClient.join(NODES.client(), node().port(), bobToken);

      JsonArray bobPeers = bob.welcome().getJsonArray("peers");
      assertEquals(1, bobPeers.size());
      assertEquals(new JsonObject().put("id", alice.id()).put("identity", "alice").put("name", "alice")
        .put("role", "publisher").put("meta", new JsonObject()), bobPeers.getJsonObject(0));

      JsonObject joined = alice.expect("peer-joined");
      assertEquals(new JsonObject().put("id", bob.id()).put("identity", "bob").put("name", "Bob B.")
        .put("role", "publisher").put("meta", new JsonObject().put("avatar", "b.png")), joined.getJsonObject("peer"));
    }

    @Test
    @DisplayName("session ids are unique")
    void uniqueIds() {
      String room = TestNode.unique("room");
      java.util.Set<String> ids = new java.util.HashSet<>();
      for (int i = 0; i < 20; i++) {
        ids.add(join("user" + i, room).id());
      }
      assertEquals(20, ids.size());
    }
  }

  @Nested
  @DisplayName("directed and broadcast frames")
  class Relay {

    @Test
    @DisplayName("offer, answer and candidate reach only the addressee, with from added, to removed,"
      + " the rest untouched")
    void directed() {
      String room = TestNode.unique("room");
      WsClient alice = join("alice", room);
      WsClient bob = join("bob", room);
      WsClient carol = join("carol", room);
      alice.expect("peer-joined");
      alice.expect("peer-joined");
      bob.expect("peer-joined");

      String sdp = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=\"quoted\" ünïcødé\r\n";
      alice.send(new JsonObject().put("type", "offer").put("to", bob.id()).put("sdp", sdp).put("x-extra", 42));
      assertEquals(new JsonObject().put("from", alice.id()).put("type", "offer").put("sdp", sdp).put("x-extra", 42),
        bob.next());

      bob.send(new JsonObject().put("type", "answer").put("to", alice.id()).put("sdp", "v=0 answer"));
      assertEquals(new JsonObject().put("from", bob.id()).put("type", "answer").put("sdp", "v=0 answer"), alice.next());

      JsonObject candidate = new JsonObject().put("candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host")
        .put("sdpMid", "0").put("sdpMLineIndex", 0);
      alice.send(new JsonObject().put("type", "candidate").put("to", bob.id()).put("candidate", candidate));
      assertEquals(candidate, bob.expect("candidate").getJsonObject("candidate"));
      alice.send(new JsonObject().put("type", "candidate").put("to", bob.id()).putNull("candidate"));
      JsonObject end = bob.expect("candidate");
      assertTrue(end.containsKey("candidate") && end.getValue("candidate") == null,
        "null candidate is relayed as null");
      assertNull(end.getValue("to"));

      alice.send(new JsonObject().put("type", "message").put("to", carol.id())
        .put("data", new JsonObject().put("k", "v")));
      JsonObject message = carol.expect("message");
      assertEquals(alice.id(), message.getString("from"));
      assertEquals(new JsonObject().put("k", "v"), message.getJsonObject("data"));
      assertFalse(message.containsKey("to"));

      WsClient.expectQuiet(alice, bob, carol);
    }

    @Test
    @DisplayName("a message without to reaches everyone else in the room, and nobody in other rooms")
    void broadcast() {
      String room = TestNode.unique("room");
      WsClient alice = join("alice", room);
      WsClient bob = join("bob", room);
      WsClient elsewhere = join("dave", TestNode.unique("room"));
      alice.expect("peer-joined");
      WsClient carol = join("carol", room);
      alice.expect("peer-joined");
      bob.expect("peer-joined");

      bob.send(new JsonObject().put("type", "message").put("data", new JsonArray().add(1).add("two")));
      for (WsClient receiver : new WsClient[] {alice, carol}) {
        JsonObject frame = receiver.expect("message");
        assertEquals(bob.id(), frame.getString("from"));
        assertEquals(new JsonArray().add(1).add("two"), frame.getJsonArray("data"));
      }
      WsClient.expectQuiet(bob, alice, carol, elsewhere); // no echo, no copy, nothing in another room
    }

    @Test
    @DisplayName("1,000 frames from one sender arrive at one receiver in the order sent")
    void ordering() {
      String room = TestNode.unique("room");
      TestNode fast = TestNode.start(new JsonObject().put("limits",
        new JsonObject().put("rateFramesPerSecond", 100_000).put("rateBurst", 100_000)));
      try (fast) {
        WsClient alice = WsClient.join(NODES.client(), fast.port(), fast.token("alice", room));
        WsClient bob = WsClient.join(NODES.client(), fast.port(), fast.token("bob", room));
        alice.expect("peer-joined");
        for (int i = 0; i < 1000; i++) {
          JsonObject frame = i % 3 == 0
            ? new JsonObject().put("type", "candidate").put("to", bob.id())
              .put("candidate", new JsonObject().put("seq", i))
            : new JsonObject().put("type", "message").put("to", bob.id()).put("data", i);
          alice.socket().writeTextMessage(frame.encode());
        }
        for (int i = 0; i < 1000; i++) {
          JsonObject frame = bob.next();
          int seq = i % 3 == 0 ? frame.getJsonObject("candidate").getInteger("seq") : frame.getInteger("data");
          assertEquals(i, seq, "frame out of order");
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    @Test
    @DisplayName("ping is answered with pong")
    void ping() {
      WsClient alice = join("alice", TestNode.unique("room"));
      alice.send(new JsonObject().put("type", "ping"));
      assertEquals(new JsonObject().put("type", "pong"), alice.next());
    }
  }

  @Nested
  @DisplayName("leaving")
  class Leaving {

    @Test
    @DisplayName("leave closes with 1000 and others get peer-left reason left")
    void leave() {
      String room = TestNode.unique("room");
      WsClient alice = join("alice", room);
      WsClient bob = join("bob", room);
      alice.expect("peer-joined");
      bob.send(new JsonObject().put("type", "leave"));
      assertEquals(1000, bob.awaitClose());
      assertEquals(new JsonObject().put("type", "peer-left").put("id", bob.id()).put("reason", "left"), alice.next());
    }

    @Test
    @DisplayName("a dropped socket means peer-left reason disconnected")
    void disconnect() {
      String room = TestNode.unique("room");
      WsClient alice = join("alice", room);
      WsClient bob = join("bob", room);
      alice.expect("peer-joined");
      bob.close();
      assertEquals(new JsonObject().put("type", "peer-left").put("id", bob.id()).put("reason", "disconnected"),
        alice.next());
    }

    @Test
    @DisplayName("a second session of the same identity replaces the first: error replaced, 4001,"
      + " peer-left then peer-joined")
    void replacement() {
      String room = TestNode.unique("room");
      WsClient alice = join("alice", room);
      WsClient bob = join("bob", room);
      alice.expect("peer-joined");
      WsClient bob2 = join("bob", room);

      bob.expectError("replaced");
      assertEquals(4001, bob.awaitClose());
      assertEquals(new JsonObject().put("type", "peer-left").put("id", bob.id()).put("reason", "replaced"),
        alice.next());
      JsonObject joined = alice.expect("peer-joined");
      assertEquals(bob2.id(), joined.getJsonObject("peer").getString("id"));
      assertEquals(1, bob2.welcome().getJsonArray("peers").size(), "the replaced session is not a peer");
      // the old socket's close must not announce anything more: the next change alice hears of is a later one
      WsClient carol = join("carol", room);
      assertEquals(carol.id(), alice.expect("peer-joined").getJsonObject("peer").getString("id"));
    }
  }

  @Nested
  @DisplayName("roles")
  class Roles {

    @Test
    @DisplayName("a viewer sees only publishers, and only publishers learn of its arrival and departure")
    void viewerVisibility() {
      String room = TestNode.unique("room");
      WsClient pub = join("pub", room);
      WsClient viewer1 = join("v1", room, "viewer");
      assertEquals("v1", pub.expect("peer-joined").getJsonObject("peer").getString("identity"));
      WsClient viewer2 = join("v2", room, "viewer");
      assertEquals("viewer", viewer2.welcome().getString("role"));
      JsonArray peersOfViewer2 = viewer2.welcome().getJsonArray("peers");
      assertEquals(1, peersOfViewer2.size(), "a viewer sees publishers only: " + peersOfViewer2);
      assertEquals("pub", peersOfViewer2.getJsonObject(0).getString("identity"));
      pub.expect("peer-joined");

      // presence changes reach each session in the order presence made them: viewer1's next one is pub2's
      // arrival, so it never heard of viewer2's
      WsClient pub2 = join("pub2", room);
      assertEquals(3, pub2.welcome().getJsonArray("peers").size(), "a publisher sees everyone");
      pub.expect("peer-joined");
      assertEquals("pub2", viewer1.expect("peer-joined").getJsonObject("peer").getString("identity"));
      assertEquals("pub2", viewer2.expect("peer-joined").getJsonObject("peer").getString("identity"));

      viewer1.close();
      assertEquals("disconnected", pub.expect("peer-left").getString("reason"));
      assertEquals("disconnected", pub2.expect("peer-left").getString("reason"));
      // likewise viewer2's next change is pub2's departure, not viewer1's
      pub2.send(new JsonObject().put("type", "leave"));
      assertEquals(new JsonObject().put("type", "peer-left").put("id", pub2.id()).put("reason", "left"),
        viewer2.next());
    }

    @Test
    @DisplayName("a viewer may signal publishers only; addressing a viewer is forbidden; publishers may signal viewers")
    void viewerSignaling() {
      String room = TestNode.unique("room");
      WsClient pub = join("pub", room);
      WsClient viewer1 = join("v1", room, "viewer");
      WsClient viewer2 = join("v2", room, "viewer");
      pub.expect("peer-joined");
      pub.expect("peer-joined");

      viewer1.send(new JsonObject().put("type", "offer").put("to", viewer2.id()).put("sdp", "x").put("ref", "r-7"));
      JsonObject error = viewer1.expectError("forbidden");
      assertEquals("r-7", error.getString("ref"));
      WsClient.expectQuiet(viewer1, viewer2);

      viewer1.send(new JsonObject().put("type", "offer").put("to", pub.id()).put("sdp", "v"));
      assertEquals(viewer1.id(), pub.expect("offer").getString("from"));
      pub.send(new JsonObject().put("type", "answer").put("to", viewer1.id()).put("sdp", "p"));
      assertEquals(pub.id(), viewer1.expect("answer").getString("from"));
    }

    @Test
    @DisplayName("a viewer's broadcast reaches publishers only; a publisher's reaches viewers too")
    void broadcastVisibility() {
      String room = TestNode.unique("room");
      WsClient pub = join("pub", room);
      WsClient viewer1 = join("v1", room, "viewer");
      WsClient viewer2 = join("v2", room, "viewer");
      pub.expect("peer-joined");
      pub.expect("peer-joined");

      viewer1.send(new JsonObject().put("type", "message").put("data", "hi from a viewer"));
      assertEquals(viewer1.id(), pub.expect("message").getString("from"));
      WsClient.expectQuiet(viewer1, viewer2);

      pub.send(new JsonObject().put("type", "message").put("data", "hi all"));
      assertEquals("hi all", viewer1.expect("message").getString("data"));
      assertEquals("hi all", viewer2.expect("message").getString("data"));
    }
  }

  @Nested
  @DisplayName("errors: the session stays open and later frames still work")
  class Errors {

    private WsClient alice;
    private WsClient bob;

    private void pair() {
      String room = TestNode.unique("room");
      alice = join("alice", room);
      bob = join("bob", room);
      alice.expect("peer-joined");
    }

    private void assertStillWorks() {
      alice.send(new JsonObject().put("type", "message").put("to", bob.id()).put("data", "still here"));
      assertEquals("still here", bob.expect("message").getString("data"));
    }

    @Test
    @DisplayName("bad-message for text that is not a JSON object, or has a bad type or missing fields; ref is echoed")
    void badMessages() {
      pair();
      String[] frames = {"not json", "[1,2]", "\"str\"", "{}", "{\"type\":5}", "{\"type\":\"dance\",\"ref\":\"r1\"}",
        "{\"type\":\"offer\",\"sdp\":\"x\",\"ref\":\"r2\"}", "{\"type\":\"offer\",\"to\":\"x\",\"ref\":\"r3\"}",
        "{\"type\":\"candidate\",\"to\":\"x\",\"ref\":\"r4\"}", "{\"type\":\"message\",\"ref\":\"r5\"}",
        "{\"type\":\"message\",\"data\":1} {}", "{\"type\":\"ping\""};
      String[] refs = {null, null, null, null, null, "r1", "r2", "r3", "r4", "r5", null, null};
      for (int i = 0; i < frames.length; i++) {
        alice.sendText(frames[i]);
        JsonObject error = alice.expectError("bad-message");
        assertEquals(refs[i], error.getString("ref"), "ref of error for " + frames[i]);
        assertFalse(error.getString("message").isEmpty());
      }
      WsClient.expectQuiet(alice, bob);
      assertStillWorks();
    }

    @Test
    @DisplayName("a binary frame is answered with bad-message")
    void binary() {
      pair();
      alice.sendBinary(new byte[] {1, 2, 3});
      alice.expectError("bad-message");
      assertStillWorks();
    }

    @Test
    @DisplayName("a client may not set from")
    void spoofedFrom() {
      pair();
      alice.send(new JsonObject().put("type", "message").put("to", bob.id()).put("from", bob.id()).put("data", 1)
        .put("ref", "spoof"));
      assertEquals("spoof", alice.expectError("bad-message").getString("ref"));
      WsClient.expectQuiet(alice, bob);
    }

    @Test
    @DisplayName("unknown-peer for a to that names nobody in the room (another room's session included)")
    void unknownPeer() {
      pair();
      WsClient stranger = join("stranger", TestNode.unique("room"));
      alice.send(new JsonObject().put("type", "offer").put("to", "nobody-with-this-id").put("sdp", "x")
        .put("ref", "u1"));
      assertEquals("u1", alice.expectError("unknown-peer").getString("ref"));
      alice.send(new JsonObject().put("type", "offer").put("to", stranger.id()).put("sdp", "x").put("ref", "u2"));
      assertEquals("u2", alice.expectError("unknown-peer").getString("ref"));
      WsClient.expectQuiet(alice, bob, stranger);
      assertStillWorks();
    }
  }
}
