package io.switchboard.cluster;

import io.switchboard.testing.Metrics;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.ProcessCluster;
import io.switchboard.testing.TcpProxy;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@DisplayName("Session resume across node processes: dropped connections, a killed node, a draining node")
class ResumeIT {

  private static WebSocketClient client;

  @BeforeAll
  static void client(Vertx vertx) {
    client = WsClient.newClient(vertx);
  }

  private static String token(String identity, String room) {
    return TestTokens.participant(identity, room, null);
  }

  private static WsClient join(int port, String identity, String room) {
    return WsClient.join(client, port, token(identity, room));
  }

  private static WsClient resume(int port, String identity, String room, WsClient previous) {
    return WsClient.resume(client, port, token(identity, room), previous.resumeToken());
  }

  private static void sendNumbered(WsClient from, WsClient to, int first, int count) {
    for (int n = first; n < first + count; n++) {
      from.send(new JsonObject().put("type", "message").put("to", to.id()).put("data", n));
    }
  }

  /** The next {@code count} frames, which must be messages numbered from {@code first} on, in order. */
  private static void expectNumbered(WsClient to, int first, int count) {
    for (int n = first; n < first + count; n++) {
      JsonObject frame = to.expect("message");
      assertEquals(n, frame.getInteger("data"), "frame " + n + " in order: " + frame);
    }
  }

  /** Waits until {@code node} keeps frames for {@code count} sessions in their grace period. */
  private static void awaitGraceBuffers(NodeProcess node, int count, Duration within) {
    double held = Metrics.awaitValue(() -> Metrics.value(node.port(), "switchboard_grace_sessions"), count,
      within.toMillis());
    assertEquals(count, held, node.nodeId() + " keeps frames for " + count + " sessions within " + within);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("a dropped connection resumes on the same node, then on another: peers see nothing, gap frames "
    + "arrive in order")
  void dropAndResume() {
    try (ProcessCluster cluster = ProcessCluster.start(2, 2, Map.of());
         TcpProxy toFirst = TcpProxy.to(cluster.node(0).port());
         TcpProxy toSecond = TcpProxy.to(cluster.node(1).port())) {
      String room = TestNode.unique("room");
      WsClient alice = join(toFirst.port(), "alice", room);
      WsClient bob = join(cluster.node(1).port(), "bob", room);
      alice.expect("peer-joined");

      toFirst.cut(); // the network drops: an RST, no close frame
      alice.awaitClose();
      sendNumbered(bob, alice, 0, 3);
      WsClient again = resume(toFirst.port(), "alice", room, alice);
      assertNull(again.resumeError());
      assertEquals(true, again.welcome().getBoolean("resumed"));
      assertEquals(alice.id(), again.id());
      assertEquals(1, again.welcome().getJsonArray("peers").size());
      expectNumbered(again, 0, 3);

      toFirst.cut();
      again.awaitClose();
      sendNumbered(bob, alice, 3, 3);
      WsClient elsewhere = resume(toSecond.port(), "alice", room, again);
      assertEquals(true, elsewhere.welcome().getBoolean("resumed"));
      assertEquals(alice.id(), elsewhere.id());
      assertEquals(cluster.node(1).nodeId(), elsewhere.welcome().getString("node"));
      expectNumbered(elsewhere, 3, 3);
      sendNumbered(bob, alice, 6, 1);
      expectNumbered(elsewhere, 6, 1);
      elsewhere.send(new JsonObject().put("type", "message").put("to", bob.id()).put("data", "back"));
      assertEquals(alice.id(), bob.expect("message").getString("from"));
      bob.expectNothing(1000); // neither peer-left nor peer-joined, ever
    }
  }

  @Test
  @DisplayName("SIGKILL of the client's node: it resumes on a survivor, peers see nothing, frames sent after "
    + "detection arrive")
  void killedNode() {
    // a short grace period, so that the test also sees it end: the resumed session must outlive it
    try (ProcessCluster cluster = ProcessCluster.start(3, 3, Map.of("SWITCHBOARD_ROOMS_GRACE_PERIOD_SECONDS", "4"))) {
      String room = TestNode.unique("room");
      WsClient alice = join(cluster.node(0).port(), "alice", room);
      WsClient bob = join(cluster.node(1).port(), "bob", room);
      WsClient carol = join(cluster.node(2).port(), "carol", room);
      alice.expect("peer-joined");
      alice.expect("peer-joined");
      bob.expect("peer-joined");

      cluster.node(0).kill();
      // the loss is detected: bob's and carol's nodes keep what is sent to alice from now on
      awaitGraceBuffers(cluster.node(1), 1, Duration.ofSeconds(15));
      awaitGraceBuffers(cluster.node(2), 1, Duration.ofSeconds(15));
      sendNumbered(bob, alice, 0, 3);
      sendNumbered(carol, alice, 100, 2);
      // on the oldest surviving member, which also times the lost node's grace periods
      WsClient back = resume(cluster.node(1).port(), "alice", room, alice);
      assertNull(back.resumeError());
      assertEquals(true, back.welcome().getBoolean("resumed"));
      assertEquals(alice.id(), back.id());
      List<Integer> got = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        got.add(back.expect("message").getInteger("data"));
      }
      assertEquals(List.of(0, 1, 2), got.stream().filter(n -> n < 100).toList(), "bob's frames in order");
      assertEquals(List.of(100, 101), got.stream().filter(n -> n >= 100).toList(), "carol's frames in order");
      sleep(5000); // past the end of the grace period the loss started
      sendNumbered(bob, alice, 3, 1);
      expectNumbered(back, 3, 1);
      sendNumbered(carol, alice, 102, 1);
      expectNumbered(back, 102, 1);
      bob.expectNothing(500);
      carol.expectNothing(500);
    }
  }

  @Test
  @DisplayName("a grace period that ends without a resume: peer-left disconnected; for a killed node's session, "
    + "node-lost")
  void graceExpiry() {
    try (ProcessCluster cluster = ProcessCluster.start(2, 2, Map.of("SWITCHBOARD_ROOMS_GRACE_PERIOD_SECONDS", "2"));
         TcpProxy toFirst = TcpProxy.to(cluster.node(0).port())) {
      String room = TestNode.unique("room");
      WsClient alice = join(toFirst.port(), "alice", room);
      WsClient bob = join(cluster.node(1).port(), "bob", room);
      alice.expect("peer-joined");
      long droppedAt = System.nanoTime();
      toFirst.cut();
      JsonObject left = bob.expectWithin("peer-left", Duration.ofSeconds(6));
      long tookMs = (System.nanoTime() - droppedAt) / 1_000_000;
      assertEquals(new JsonObject().put("type", "peer-left").put("id", alice.id()).put("reason", "disconnected"), left);
      assertTrue(tookMs >= 1500, "not before the grace period ends: " + tookMs + " ms");
      WsClient late = resume(cluster.node(0).port(), "alice", room, alice);
      assertNotNull(late.resumeError(), "too late to resume");
      assertEquals(late.id(), bob.expect("peer-joined").getJsonObject("peer").getString("id"));

      WsClient carol = join(cluster.node(0).port(), "carol", room);
      bob.expect("peer-joined");
      cluster.node(0).kill();
      JsonObject lost = null;
      while (lost == null) {
        JsonObject frame = bob.expectWithin("peer-left", Duration.ofSeconds(15));
        lost = frame.getString("id").equals(carol.id()) ? frame : null;
      }
      assertEquals("node-lost", lost.getString("reason"));
    }
  }

  @Test
  @DisplayName("a grace buffer that overflows: resume-failed, then a clean join; the others see the old session leave")
  void overflow() {
    try (ProcessCluster cluster = ProcessCluster.start(2, 2, Map.of("SWITCHBOARD_ROOMS_RESUME_BUFFER_FRAMES", "5"));
         TcpProxy toFirst = TcpProxy.to(cluster.node(0).port())) {
      String room = TestNode.unique("room");
      WsClient alice = join(toFirst.port(), "alice", room);
      WsClient bob = join(cluster.node(1).port(), "bob", room);
      alice.expect("peer-joined");
      toFirst.cut();
      alice.awaitClose();
      sendNumbered(bob, alice, 0, 6);
      sleep(300);
      WsClient again = resume(cluster.node(1).port(), "alice", room, alice);
      assertNotNull(again.resumeError());
      assertEquals("resume-failed", again.resumeError().getString("code"));
      assertNull(again.welcome().getBoolean("resumed"));
      assertNotEquals(alice.id(), again.id());
      assertEquals(new JsonObject().put("type", "peer-left").put("id", alice.id()).put("reason", "disconnected"),
        bob.expect("peer-left"));
      assertEquals(again.id(), bob.expect("peer-joined").getJsonObject("peer").getString("id"));
      again.send(new JsonObject().put("type", "message").put("to", bob.id()).put("data", "fresh"));
      assertEquals(again.id(), bob.expect("message").getString("from"));
    }
  }

  @Test
  @DisplayName("a stolen resume token presented with another identity's token is refused; the owner still resumes")
  void stolenToken() {
    try (ProcessCluster cluster = ProcessCluster.start(2, 2, Map.of());
         TcpProxy toFirst = TcpProxy.to(cluster.node(0).port())) {
      String room = TestNode.unique("room");
      WsClient alice = join(toFirst.port(), "alice", room);
      WsClient bob = join(cluster.node(1).port(), "bob", room);
      alice.expect("peer-joined");
      toFirst.cut();
      alice.awaitClose();

      WsClient mallory = resume(cluster.node(1).port(), "mallory", room, alice);
      assertNotNull(mallory.resumeError(), "another identity cannot take the session");
      assertNotEquals(alice.id(), mallory.id());
      assertEquals("mallory", mallory.welcome().getString("identity"));
      assertEquals(mallory.id(), bob.expect("peer-joined").getJsonObject("peer").getString("id"));

      WsClient back = resume(cluster.node(0).port(), "alice", room, alice);
      assertNull(back.resumeError());
      assertEquals(alice.id(), back.id());
      bob.expectNothing(500);
    }
  }

  @Test
  @DisplayName("SIGTERM: the node closes with 1001, the client resumes on another node, and no frame is lost")
  void drainWithoutLoss() throws Exception {
    try (ProcessCluster cluster = ProcessCluster.start(2, 2, Map.of())) {
      String room = TestNode.unique("room");
      WsClient alice = join(cluster.node(0).port(), "alice", room);
      WsClient bob = join(cluster.node(1).port(), "bob", room);
      alice.expect("peer-joined");
      String aliceId = alice.id();

      AtomicBoolean sending = new AtomicBoolean(true);
      AtomicInteger sent = new AtomicInteger();
      Thread sender = new Thread(() -> {
        while (sending.get()) {
          bob.send(new JsonObject().put("type", "message").put("to", aliceId).put("data", sent.getAndIncrement()));
          sleep(20);
        }
      });
      sender.start();
      sleep(500);
      cluster.node(0).terminate();
      assertEquals(1001, alice.awaitClose());
      WsClient back = resume(cluster.node(1).port(), "alice", room, alice);
      assertEquals(true, back.welcome().getBoolean("resumed"));
      sleep(1000);
      sending.set(false);
      sender.join();

      List<Integer> received = new ArrayList<>();
      for (JsonObject frame = alice.poll(0); frame != null; frame = alice.poll(0)) {
        if ("message".equals(frame.getString("type"))) {
          received.add(frame.getInteger("data"));
        }
      }
      int beforeResume = received.size();
      while (received.size() < sent.get()) {
        received.add(back.expect("message").getInteger("data"));
      }
      List<Integer> expected = new ArrayList<>();
      for (int n = 0; n < sent.get(); n++) {
        expected.add(n);
      }
      assertEquals(expected, received, "every frame exactly once, in order (" + beforeResume + " before the drain)");
      cluster.node(0).waitForExit(Duration.ofSeconds(30)); // the drained node exits once nothing is left to hand over
      bob.expectNothing(500);
    }
  }
}
