package io.switchboard.signaling.it;

import io.switchboard.testing.SwitchboardNodes;
import io.switchboard.testing.Http;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Concurrency: a crowd joining and leaving at once, a hostile neighbour, isolated rooms")
class ConcurrencyTest {

  private static final long SEED = 0x5eed_2024L;

  @RegisterExtension
  static final SwitchboardNodes NODES = SwitchboardNodes.single(new JsonObject().put("limits", new JsonObject()
    .put("maxParticipantsPerRoom", 500).put("rateFramesPerSecond", 100_000).put("rateBurst", 100_000))
    .put("rooms", new JsonObject().put("gracePeriodSeconds", 1))).perTest();

  private static TestNode node() {
    return NODES.node();
  }

  /** A node per test: gauges start from zero and no test's sockets linger into the next. */
  private static WsClient join(String identity, String room) {
    return WsClient.join(NODES.client(), node().port(), node().token(identity, room));
  }

  private static double sessionsGauge() {
    return Metrics.value(node().port(), "switchboard_sessions");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The admin view's participant ids of {@code room}; empty when the room does not exist. */
  private static Set<String> adminView(String room) {
    Http.Response response = Http.get(node().port(), "/api/rooms/" + room, node().adminToken());
    if (response.status() == 404) {
      return Set.of();
    }
    assertEquals(200, response.status(), response.body());
    return response.json().getJsonArray("participants").stream()
      .map(p -> ((JsonObject) p).getString("id")).collect(Collectors.toSet());
  }

  private static boolean roomListed(String room) {
    Http.Response response = Http.get(node().port(), "/api/rooms", node().adminToken());
    assertEquals(200, response.status(), response.body());
    return response.json().getJsonArray("rooms").stream()
      .anyMatch(r -> room.equals(((JsonObject) r).getString("room")));
  }

  private static List<String> peerIds(JsonObject welcome) {
    return welcome.getJsonArray("peers").stream().map(p -> ((JsonObject) p).getString("id")).toList();
  }

  /** Runs {@code bodies} on their own threads, released together; rethrows the first failure. */
  private static void runTogether(List<Runnable> bodies) {
    CountDownLatch go = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (Runnable body : bodies) {
      Thread thread = new Thread(() -> {
        try {
          go.await();
          body.run();
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        }
      });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      try {
        thread.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      assertFalse(thread.isAlive(), "sender thread did not finish");
    }
    if (failure.get() != null) {
      throw new AssertionError("sender failed", failure.get());
    }
  }

  // ---- a crowd ----

  private static final int CROWD = 100;
  private static final int LEAVING = 50;

  /** The crowd, by index i (identity user-i): clients, their welcomes, their session ids. */
  private record Crowd(WsClient[] clients, JsonObject[] welcomes, String[] ids, Map<String, String> identityOf) {

    int size() {
      return clients.length;
    }

    /** Every session id; no two are the same. */
    Set<String> all() {
      return Set.of(ids);
    }
  }

  @Test
  @DisplayName("100 concurrent joins get consistent welcomes; 50 concurrent leaves are announced once each;"
    + " the room then vanishes")
  void crowd() {
    String room = TestNode.unique("room");
    double sessionsBefore = sessionsGauge();
    Crowd crowd = joinAtOnce(room, CROWD);
    assertWelcomesConsistent(crowd);
    assertWelcomesFormOneChain(crowd);
    assertEveryoneHearsOfLaterArrivals(crowd);

    WsClient observer = joinObserver(room, crowd);
    Set<String> everyone = new HashSet<>(crowd.all());
    everyone.add(observer.id());
    assertEquals(everyone, adminView(room), "admin view of 101");

    Map<String, String> expectedLeft = leaveAtOnce(crowd);
    assertLeavesAnnouncedOnce(observer, crowd, expectedLeft);
    Set<String> remaining = new HashSet<>(everyone);
    remaining.removeAll(expectedLeft.keySet());
    assertEquals(51, remaining.size());
    assertEquals(remaining, adminView(room), "admin view of 51");
    assertStayersHeardEveryLeave(crowd, expectedLeft);

    // the rest leave: they are the next the observer hears of, so none of the first leaves was announced again
    // (not even when a grace period, started earlier than theirs, ended)
    Map<String, String> expectedRest = new HashMap<>();
    for (int i = LEAVING; i < crowd.size(); i++) {
      crowd.clients()[i].close();
      expectedRest.put(crowd.ids()[i], "disconnected");
    }
    assertEquals(expectedRest, nextLeaves(observer, crowd.size() - LEAVING), "the observer heard of the rest");
    observer.close();
    assertRoomVanishes(room);
    assertEquals(sessionsBefore, Metrics.awaitValue(ConcurrencyTest::sessionsGauge, sessionsBefore, 5000),
      "switchboard_sessions must return to its value before the crowd came");
  }

  /** Opens {@code n} sessions at once; each one's first frame is its welcome. */
  private static Crowd joinAtOnce(String room, int n) {
    List<Future<WsClient>> opens = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      opens.add(WsClient.open(NODES.client(), node().port(), node().token("user-" + i, room)));
    }
    // presence admits them one after another: the last may wait for all the others
    Duration deadline = WsClient.waitFor(n);
    WsClient.await(Future.all(opens), deadline);
    Crowd crowd = new Crowd(new WsClient[n], new JsonObject[n], new String[n], new HashMap<>());
    for (int i = 0; i < n; i++) {
      WsClient member = opens.get(i).result();
      JsonObject welcome = member.next(deadline);
      assertEquals("welcome", welcome.getString("type"), "first frame must be welcome: " + welcome);
      assertEquals("user-" + i, welcome.getString("identity"));
      crowd.clients()[i] = member;
      crowd.welcomes()[i] = welcome;
      crowd.ids()[i] = welcome.getString("id");
      crowd.identityOf().put(crowd.ids()[i], "user-" + i);
    }
    assertEquals(n, crowd.all().size()); // Set.of throws on a duplicate id
    return crowd;
  }

  /** Each welcome: no duplicates, never itself, only members of the crowd, with the right identities. */
  private static void assertWelcomesConsistent(Crowd crowd) {
    Set<String> all = crowd.all();
    for (int i = 0; i < crowd.size(); i++) {
      JsonObject welcome = crowd.welcomes()[i];
      List<String> peers = peerIds(welcome);
      assertEquals(peers.size(), new HashSet<>(peers).size(), "duplicate peers in " + welcome.encode());
      assertFalse(peers.contains(crowd.ids()[i]), "a welcome lists its own session");
      assertTrue(all.containsAll(peers), "a welcome lists a stranger");
      for (Object peer : welcome.getJsonArray("peers")) {
        JsonObject p = (JsonObject) peer;
        assertEquals(crowd.identityOf().get(p.getString("id")), p.getString("identity"), "peer identity mismatch");
      }
    }
  }

  /** Joins are admitted one after another: the welcomes' peer lists form one chain 0, 1, ..., 99. */
  private static void assertWelcomesFormOneChain(Crowd crowd) {
    JsonObject[] welcomes = crowd.welcomes();
    Integer[] order = IntStream.range(0, crowd.size()).boxed()
      .sorted(Comparator.comparingInt(i -> welcomes[i].getJsonArray("peers").size()))
      .toArray(Integer[]::new);
    for (int k = 0; k < crowd.size(); k++) {
      Set<String> peers = new HashSet<>(peerIds(welcomes[order[k]]));
      assertEquals(k, peers.size(), "the " + k + "th admitted session should see exactly " + k + " peers");
      if (k > 0) {
        Set<String> expected = new HashSet<>(peerIds(welcomes[order[k - 1]]));
        expected.add(crowd.ids()[order[k - 1]]);
        assertEquals(expected, peers, "welcome peers are not a consistent snapshot");
      }
    }
  }

  /** Everyone hears of exactly those who came after it, once each. */
  private static void assertEveryoneHearsOfLaterArrivals(Crowd crowd) {
    for (int i = 0; i < crowd.size(); i++) {
      Set<String> expected = new HashSet<>(crowd.all());
      expected.remove(crowd.ids()[i]);
      expected.removeAll(peerIds(crowd.welcomes()[i]));
      Set<String> announced = new HashSet<>();
      for (int j = 0; j < expected.size(); j++) {
        JsonObject frame = crowd.clients()[i].expect("peer-joined");
        assertTrue(announced.add(frame.getJsonObject("peer").getString("id")), "peer-joined twice: " + frame);
      }
      assertEquals(expected, announced, "peer-joined frames of user-" + i);
    }
  }

  /** One more session, welcomed with the whole crowd; its arrival is the next thing each member hears. */
  private static WsClient joinObserver(String room, Crowd crowd) {
    WsClient observer = join("observer", room);
    assertEquals(crowd.all(), new HashSet<>(peerIds(observer.welcome())));
    assertEquals(crowd.size(), observer.welcome().getJsonArray("peers").size());
    for (int i = 0; i < crowd.size(); i++) {
      assertEquals(observer.id(), crowd.clients()[i].expect("peer-joined").getJsonObject("peer").getString("id"),
        "user-" + i + " got something other than the observer's arrival");
    }
    return observer;
  }

  /**
   * The first {@value #LEAVING} leave at once: even ones with a leave frame, odd ones by dropping the socket.
   *
   * @return the reason each one's peer-left must give, by session id
   */
  private static Map<String, String> leaveAtOnce(Crowd crowd) {
    Map<String, String> expectedLeft = new HashMap<>();
    for (int i = 0; i < LEAVING; i++) {
      if (i % 2 == 0) {
        crowd.clients()[i].socket().writeTextMessage("{\"type\":\"leave\"}");
        expectedLeft.put(crowd.ids()[i], "left");
      } else {
        crowd.clients()[i].socket().close();
        expectedLeft.put(crowd.ids()[i], "disconnected");
      }
    }
    return expectedLeft;
  }

  /** The observer hears of each leave once, with its reason; a leave frame closes with 1000. */
  private static void assertLeavesAnnouncedOnce(WsClient observer, Crowd crowd, Map<String, String> expectedLeft) {
    assertEquals(expectedLeft, nextLeaves(observer, LEAVING));
    for (int i = 0; i < LEAVING; i += 2) {
      assertEquals(1000, crowd.clients()[i].awaitClose(), "leave closes with 1000");
    }
  }

  /** The next {@code count} frames of {@code observer}: peer-left, each for another session; reason by id. */
  private static Map<String, String> nextLeaves(WsClient observer, int count) {
    Map<String, String> left = new HashMap<>();
    for (int i = 0; i < count; i++) {
      JsonObject frame = observer.expect("peer-left");
      assertNull(left.put(frame.getString("id"), frame.getString("reason")), "peer-left twice: " + frame);
    }
    return left;
  }

  private static void assertStayersHeardEveryLeave(Crowd crowd, Map<String, String> expectedLeft) {
    for (int i = LEAVING; i < crowd.size(); i++) {
      Map<String, String> seen = new HashMap<>();
      for (int j = 0; j < LEAVING; j++) {
        JsonObject frame = crowd.clients()[i].expect("peer-left");
        seen.put(frame.getString("id"), frame.getString("reason"));
      }
      assertEquals(expectedLeft, seen, "peer-left frames of user-" + i);
    }
  }

  private static void assertRoomVanishes(String room) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (roomListed(room) && System.nanoTime() < deadline) {
      sleep(50);
    }
    assertFalse(roomListed(room), "an empty room must disappear from GET /api/rooms");
    assertEquals(Set.of(), adminView(room));
  }

  // ---- hostile neighbour ----

  /** One hostile frame: how to send it, and which error codes may answer it. */
  private record Hostile(String kind, Consumer<WebSocket> send, Set<String> codes) {
  }

  private static String randomText(Random rnd, int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      int kind = rnd.nextInt(10);
      if (kind < 6) {
        text.append((char) (0x20 + rnd.nextInt(0x5f))); // printable ASCII, JSON punctuation included
      } else if (kind < 8) {
        text.append((char) rnd.nextInt(0x20)); // control characters
      } else if (kind < 9) {
        text.append((char) (0xa0 + rnd.nextInt(0xd7ff - 0xa0))); // BMP outside the surrogates
      } else {
        text.appendCodePoint(0x1f300 + rnd.nextInt(0x200)); // astral (surrogate pair in Java)
      }
    }
    return text.toString();
  }

  private static final Set<String> BAD = Set.of("bad-message");
  private static final Set<String> UNKNOWN = Set.of("unknown-peer");
  private static final Set<String> NESTING_LIMIT = Set.of("bad-message", "unknown-peer");

  /** {@code count} hostile frames; {@code aId} is the sender's own session, {@code cId} a bystander's. */
  private static List<Hostile> hostileFrames(Random rnd, int count, String aId, String cId) {
    List<Hostile> frames = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      frames.add(hostileFrame(rnd, rnd.nextInt(100), i, aId, cId));
    }
    return frames;
  }

  /** The kind of frame {@code pick} (0-99) chooses: each kind's share of the frames is its span of picks. */
  private static Hostile hostileFrame(Random rnd, int pick, int i, String aId, String cId) {
    if (pick < 13) {
      return randomTextFrame(rnd);
    } else if (pick < 23) {
      return invalidUtf8(rnd);
    } else if (pick < 37) {
      return binary(rnd);
    } else if (pick < 51) {
      return truncatedJson(rnd, i, cId);
    } else if (pick < 61) {
      return unknownType(rnd, i, cId);
    } else if (pick < 76) {
      return unknownPeer(rnd, i, aId, cId);
    } else if (pick < 88) {
      return deeplyNested(rnd);
    } else if (pick < 97) {
      return huge(rnd);
    }
    return tooLarge(rnd, cId);
  }

  private static Hostile randomTextFrame(Random rnd) {
    String text = rnd.nextInt(20) == 0 ? "" : randomText(rnd, 1 + rnd.nextInt(300));
    return new Hostile("random text", ws -> ws.writeTextMessage(text), BAD);
  }

  /** A text message whose payload is not UTF-8: an empty text frame continued with the raw bytes. */
  private static Hostile invalidUtf8(Random rnd) {
    byte[] bytes = new byte[1 + rnd.nextInt(300)];
    rnd.nextBytes(bytes);
    bytes[0] = (byte) (0x80 | bytes[0]); // a stray continuation byte: never valid UTF-8
    return new Hostile("invalid UTF-8 text", ws -> {
      ws.writeFrame(WebSocketFrame.textFrame("", false));
      ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(bytes), true));
    }, BAD);
  }

  private static Hostile binary(Random rnd) {
    byte[] bytes = new byte[rnd.nextInt(2000)];
    rnd.nextBytes(bytes);
    boolean looksJson = rnd.nextBoolean();
    Buffer payload = looksJson ? Buffer.buffer("{\"type\":\"ping\"}") : Buffer.buffer(bytes);
    return new Hostile("binary", ws -> ws.writeBinaryMessage(payload), BAD);
  }

  private static Hostile truncatedJson(Random rnd, int i, String cId) {
    String whole = new JsonObject().put("type", rnd.nextBoolean() ? "offer" : "message").put("to", cId)
      .put("sdp", "v=0\r\n" + randomText(rnd, rnd.nextInt(100))).put("data", new JsonArray().add(i))
      .put("ref", "t" + i).encode();
    String truncated = whole.substring(0, 1 + rnd.nextInt(whole.length() - 1));
    return new Hostile("truncated JSON", ws -> ws.writeTextMessage(truncated), BAD);
  }

  private static Hostile unknownType(Random rnd, int i, String cId) {
    String type = switch (rnd.nextInt(5)) {
      case 0 -> "dance";
      case 1 -> "OFFER";
      case 2 -> "";
      case 3 -> "welcome";
      default -> "x-" + rnd.nextInt(1_000_000);
    };
    String frame = new JsonObject().put("type", type).put("to", cId).put("data", i).encode();
    return new Hostile("unknown type", ws -> ws.writeTextMessage(frame), BAD);
  }

  private static Hostile unknownPeer(Random rnd, int i, String aId, String cId) {
    String to = switch (rnd.nextInt(4)) {
      case 0 -> aId; // itself
      case 1 -> "";
      case 2 -> cId.substring(0, cId.length() - 1);
      default -> "nobody-" + rnd.nextInt(1_000_000);
    };
    JsonObject frame = switch (rnd.nextInt(3)) {
      case 0 -> new JsonObject().put("type", "offer").put("to", to).put("sdp", "v=0");
      case 1 -> new JsonObject().put("type", "candidate").put("to", to).put("candidate", new JsonObject());
      default -> new JsonObject().put("type", "message").put("to", to).put("data", i);
    };
    String text = frame.encode();
    return new Hostile("unknown peer", ws -> ws.writeTextMessage(text), UNKNOWN);
  }

  private static Hostile deeplyNested(Random rnd) {
    if (rnd.nextBoolean()) {
      int depth = 1000 + rnd.nextInt(20_000);
      String text = "[".repeat(depth) + "]".repeat(depth);
      return new Hostile("nested arrays", ws -> ws.writeTextMessage(text), BAD);
    }
    // well-formed up to a nesting limit; beyond it bad-message, below it unknown-peer
    int depth = 100 + rnd.nextInt(5000);
    String text = "{\"type\":\"message\",\"to\":\"nobody\",\"data\":" + "[".repeat(depth) + "]".repeat(depth)
      + "}";
    return new Hostile("nested data", ws -> ws.writeTextMessage(text), NESTING_LIMIT);
  }

  /** Between 16 KiB and just under the 64 KiB frame limit (limits.maxFrameBytes). */
  private static Hostile huge(Random rnd) {
    int size = 16 * 1024 + rnd.nextInt(65_536 - 16 * 1024 - 64);
    if (rnd.nextBoolean()) {
      String junk = randomText(new Random(rnd.nextLong()), size / 3);
      return new Hostile("huge junk", ws -> ws.writeTextMessage(junk), BAD);
    }
    String sdp = "a".repeat(size);
    String text = new JsonObject().put("type", "offer").put("to", "nobody").put("sdp", sdp).encode();
    return new Hostile("huge offer to nobody", ws -> ws.writeTextMessage(text), UNKNOWN);
  }

  private static Hostile tooLarge(Random rnd, String cId) {
    int size = 65_537 + rnd.nextInt(128 * 1024);
    String text = "{\"type\":\"message\",\"to\":\"" + cId + "\",\"data\":\"" + "z".repeat(size) + "\"}";
    return new Hostile("too large", ws -> ws.writeTextMessage(text), Set.of("too-large"));
  }

  @Test
  @DisplayName("2,000 hostile frames from one client never disturb a 500-frame conversation next to it")
  void hostileNeighbour() {
    String room = TestNode.unique("room");
    WsClient a = join("hostile-a", room);
    WsClient b = join("b", room);
    WsClient c = join("c", room);
    a.expect("peer-joined");
    a.expect("peer-joined");
    b.expect("peer-joined");

    List<Hostile> hostile = hostileFrames(new Random(SEED), 2000, a.id(), c.id());
    Map<String, Long> kinds = hostile.stream().collect(Collectors.groupingBy(Hostile::kind, Collectors.counting()));
    assertTrue(kinds.size() >= 10, "every kind of hostile frame is exercised: " + kinds);

    runTogether(List.of(
      () -> hostile.forEach(h -> h.send().accept(a.socket())),
      () -> {
        for (int i = 0; i < 500; i++) {
          b.socket().writeTextMessage(
            new JsonObject().put("type", "message").put("to", c.id()).put("data", i).encode());
        }
      }));

    for (int i = 0; i < 500; i++) {
      JsonObject frame = c.next();
      assertEquals(new JsonObject().put("type", "message").put("from", b.id()).put("data", i), frame,
        "C must receive B's frames, all of them, in order");
    }
    for (int i = 0; i < hostile.size(); i++) {
      JsonObject frame = a.next();
      Hostile sent = hostile.get(i);
      assertEquals("error", frame.getString("type"), "A received a non-error for a " + sent.kind() + ": " + frame);
      assertTrue(sent.codes().contains(frame.getString("code")),
        "frame " + i + " (" + sent.kind() + ") answered with " + frame.getString("code")
          + ", expected " + sent.codes());
    }
    WsClient.expectQuiet(a, b, c); // nothing more for anyone, and everyone still answers
    a.close();
    b.close();
    c.close();
  }

  // ---- isolation ----

  @Test
  @DisplayName("broadcasts under concurrent traffic stay in their room, in per-sender order")
  void roomsAreIsolated() {
    String[] rooms = {TestNode.unique("room"), TestNode.unique("room")};
    int perRoom = 5;
    int rounds = 100;
    WsClient[][] members = new WsClient[2][perRoom];
    Map<String, Integer> roomOf = new HashMap<>();
    for (int r = 0; r < 2; r++) {
      for (int i = 0; i < perRoom; i++) {
        members[r][i] = join("member-" + i, rooms[r]);
        roomOf.put(members[r][i].id(), r);
      }
      for (int i = 0; i < perRoom; i++) {
        for (int j = i + 1; j < perRoom; j++) {
          members[r][i].expect("peer-joined");
        }
      }
    }

    List<Runnable> senders = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      for (int i = 0; i < perRoom; i++) {
        WsClient sender = members[r][i];
        int room = r;
        senders.add(() -> {
          for (int seq = 0; seq < rounds; seq++) {
            sender.socket().writeTextMessage(new JsonObject().put("type", "message")
              .put("data", new JsonObject().put("room", room).put("seq", seq)).encode());
          }
        });
      }
    }
    runTogether(senders);

    for (int r = 0; r < 2; r++) {
      for (int i = 0; i < perRoom; i++) {
        WsClient receiver = members[r][i];
        Map<String, Integer> nextSeq = new HashMap<>();
        for (int k = 0; k < (perRoom - 1) * rounds; k++) {
          JsonObject frame = receiver.expect("message");
          String from = frame.getString("from");
          assertEquals(r, roomOf.get(from), "a broadcast crossed rooms: " + frame);
          assertEquals(r, frame.getJsonObject("data").getInteger("room"), "a broadcast crossed rooms: " + frame);
          assertFalse(from.equals(receiver.id()), "a broadcast came back to its sender");
          int expected = nextSeq.getOrDefault(from, 0);
          assertEquals(expected, frame.getJsonObject("data").getInteger("seq"), "per-sender order broken");
          nextSeq.put(from, expected + 1);
        }
        assertEquals(perRoom - 1, nextSeq.size(), "heard from every other member");
      }
    }
    WsClient.expectQuiet(Arrays.stream(members).flatMap(Arrays::stream).toArray(WsClient[]::new));
    Arrays.stream(members).flatMap(Arrays::stream).forEach(WsClient::close);
  }
}
