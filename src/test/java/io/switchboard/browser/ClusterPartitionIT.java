package io.switchboard.browser;

import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.netns.NetnsCluster;
import io.switchboard.testing.netns.NetnsNode;
import io.switchboard.testing.netns.NetnsRig;
import io.switchboard.testing.netns.NetnsRig.Kind;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.switchboard.testing.netns.NetnsRig.home;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A cluster of three members on three hosts, and a member cut off from the other two by a firewall rule (a partition:
 * the member stays up and its clients still reach it), then let back. docs/cluster.md "Partitions": the majority side
 * hears the lone member's participants leave with {@code node-lost}; after the heal Hazelcast merges the lone member
 * back, its sessions are re-asserted, the majority side hears {@code peer-joined}, every member lists everyone,
 * frames flow both ways again, and nobody is disconnected. (NodeLossIT freezes a process on loopback for the same;
 * here packets really vanish and both sides keep running.)
 *
 * <p>The lone member's own participants hear the other side leave with {@code node-lost} too. With one backup
 * and three members, the lone member holds no copy of a given room's map entry one time in three, and then only
 * its own replica of the room knows the other side's sessions: the test uses {@link #ROOMS} rooms, so that case
 * almost always occurs at least once (all of them keep a copy with probability (2/3)^6, about 9 %).
 */
@DisplayName("A cluster across hosts: a member partitioned by a firewall, then healed")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ClusterPartitionIT {

  private static final System.Logger LOG = System.getLogger(ClusterPartitionIT.class.getName());
  private static final Map<String, String> GRACE = Map.of("SWITCHBOARD_ROOMS_GRACE_PERIOD_SECONDS", "3");
  /** Heartbeat bound (5 s) plus the grace period, with room for a loaded machine. */
  private static final Duration LOSS_DEADLINE = Duration.ofSeconds(30);
  /** Merge checks run every 5 s once the members can talk again; the merged member re-asserts its sessions. */
  private static final Duration MERGE_DEADLINE = Duration.ofSeconds(45);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
  /** Rooms split at once, each with one participant on either side. */
  private static final int ROOMS = 6;

  /**
   * Connects one SDK client named {@code name} to one node URL, recording its presence events, messages and closes
   * in {@code window.netnsRecords}; answers {@code {id}} or {@code {error}}.
   */
  private static final String CONNECT = """
    const [name, url, token] = arguments;
    const done = arguments[arguments.length - 1];
    const records = window.netnsRecords ??= [];
    const clients = window.netnsClients ??= {};
    import('/switchboard.js').then(({SwitchboardClient}) => {
      const client = clients[name] = new SwitchboardClient({token, urls: [url], reconnect: async () => ({token})});
      const record = (type, detail) => records.push({client: name, type, ...detail});
      client.on('peer-joined', ({peer}) => record('peer-joined', {id: peer.id}));
      client.on('peer-left', ({id, reason}) => record('peer-left', {id, reason}));
      client.on('message', ({from, data}) => record('message', {id: from, text: data?.text ?? null}));
      client.on('close', ({code}) => record('close', {code}));
      return client.connect();
    }).then((welcome) => done({id: welcome.id}), (error) => done({error: String(error)}));
    """;

  private static NetnsRig rig;
  private static NetnsCluster cluster;

  @BeforeAll
  static void buildNetworks() {
    rig = NetnsRig.up(3, home("a", Kind.DIRECT));
    try {
      cluster = NetnsCluster.start(rig, 3, GRACE);
    } catch (RuntimeException e) {
      rig.close();
      throw e;
    }
  }

  @AfterAll
  static void tearDownNetworks() throws Exception {
    BrowserResources.closeAll(Arrays.asList(cluster, rig));
  }

  @Test
  @DisplayName("the majority hears node-lost, then after the heal peer-joined; every member lists both; frames flow")
  void partitionThenHeal() throws Exception {
    NetnsNode first = cluster.member(1);
    NetnsNode third = cluster.member(3);
    try (NetnsPages pages = new NetnsPages(rig)) {
      Chromium browser = pages.open("a", first.httpUrl() + "/", List.of(first.httpUrl()));
      splitAndHeal(browser, TestNode.unique("split"));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n---- log of " + first.nodeId() + ":\n" + first.tail()
        + "\n---- log of " + third.nodeId() + ":\n" + third.tail(), e);
    }
  }

  /**
   * In each room, alice-i on member 1 (majority side) and carol-i on member 3 (cut off), all SDK clients in one page
   * on host a.
   */
  private static void splitAndHeal(Chromium browser, String roomPrefix) {
    NetnsNode first = cluster.member(1);
    NetnsNode third = cluster.member(3);
    List<String[]> rooms = new ArrayList<>(); // room, alice's id, carol's id
    for (int i = 0; i < ROOMS; i++) {
      String room = roomPrefix + "-" + i;
      rooms.add(new String[] {room, connect(browser, "alice" + i, first, room), connect(browser, "carol" + i, third,
        room)});
    }
    for (int i = 0; i < ROOMS; i++) {
      String carol = rooms.get(i)[2];
      String alice = "alice" + i;
      await(browser, alice + " hears carol join", r -> is(r, alice, "peer-joined", carol), MERGE_DEADLINE);
    }

    rig.partition(3);
    try {
      for (int i = 0; i < ROOMS; i++) {
        String[] room = rooms.get(i);
        assertLost(browser, "alice" + i, room[2]);
        assertLost(browser, "carol" + i, room[1]);
        assertEquals(Set.of(room[1]), participants(first, room[0]), "member 1's side of the split");
        assertEquals(Set.of(room[2]), participants(third, room[0]), "member 3's side of the split");
      }
    } finally {
      rig.heal(3);
    }

    for (int i = 0; i < ROOMS; i++) {
      String[] room = rooms.get(i);
      String alice = room[1];
      String carol = room[2];
      String aliceClient = "alice" + i;
      String carolClient = "carol" + i;
      // alice heard carol join before the split and again after the merge; carol (who found alice in her welcome)
      // hears alice join after the merge
      awaitCount(browser, aliceClient + " hears carol join again", r -> is(r, aliceClient, "peer-joined", carol), 2);
      awaitCount(browser, carolClient + " hears alice join again", r -> is(r, carolClient, "peer-joined", alice), 1);
      awaitScript(browser, "carol" + i + "'s client lists alice",
        "return window.netnsClients['carol" + i + "'].peers.has(arguments[0]);", alice);
      for (int n = 1; n <= 3; n++) {
        awaitParticipants(cluster.member(n), room[0], Set.of(alice, carol));
      }
      assertDelivered(browser, "alice" + i, "carol" + i, carol);
      assertDelivered(browser, "carol" + i, "alice" + i, alice);
    }
    assertTrue(records(browser).stream().noneMatch(r -> "close".equals(r.getString("type"))),
      "the merge disconnects nobody: " + records(browser));
  }

  /** {@code client} hears the participant {@code id} of the other side leave with node-lost. */
  private static void assertLost(Chromium browser, String client, String id) {
    JsonObject lost = await(browser, client + " hears " + id + " leave", r -> is(r, client, "peer-left", id),
      LOSS_DEADLINE);
    assertEquals("node-lost", lost.getString("reason"), lost.encode());
  }

  /** A directed message from client {@code from} reaches client {@code to} (session id {@code toId}). */
  private static void assertDelivered(Chromium browser, String from, String to, String toId) {
    String text = "after the heal, from " + from;
    browser.driver().executeScript("window.netnsClients[arguments[0]].sendMessage({text: arguments[1]}, arguments[2]);",
      from, text, toId);
    await(browser, to + " gets " + from + "'s message", r -> to.equals(r.getString("client"))
      && "message".equals(r.getString("type")) && text.equals(r.getString("text")), Duration.ofSeconds(10));
  }

  private static void awaitScript(Chromium browser, String what, String script, Object argument) {
    long deadline = System.nanoTime() + MERGE_DEADLINE.toNanos();
    while (!Boolean.TRUE.equals(browser.driver().executeScript(script, argument))) {
      if (System.nanoTime() > deadline) {
        fail("not within " + MERGE_DEADLINE.toSeconds() + " s: " + what + "; the page recorded " + records(browser));
      }
      sleep(POLL_INTERVAL);
    }
  }

  private static String connect(Chromium browser, String name, NetnsNode node, String room) {
    String token = TestTokens.participant(TestNode.unique(name), room, null);
    Object answer = browser.driver().executeAsyncScript(CONNECT, name, node.wsUrl(), token);
    if (!(answer instanceof Map<?, ?> map) || map.get("id") == null) {
      throw new AssertionError(name + " did not join on " + node.nodeId() + ": " + answer);
    }
    return String.valueOf(map.get("id"));
  }

  private static boolean is(JsonObject record, String client, String type, String id) {
    return client.equals(record.getString("client")) && type.equals(record.getString("type"))
      && id.equals(record.getString("id"));
  }

  private static Set<String> participants(NetnsNode node, String room) {
    JsonObject json = node.room(room);
    Set<String> ids = new HashSet<>();
    if (json != null) {
      json.getJsonArray("participants").forEach(p -> ids.add(((JsonObject) p).getString("id")));
    }
    return ids;
  }

  private static void awaitParticipants(NetnsNode node, String room, Set<String> expected) {
    long deadline = System.nanoTime() + MERGE_DEADLINE.toNanos();
    Set<String> seen = participants(node, room);
    while (!seen.equals(expected) && System.nanoTime() < deadline) {
      sleep(POLL_INTERVAL);
      seen = participants(node, room);
    }
    assertEquals(expected, seen, node.nodeId() + " lists the room's participants after the heal");
  }

  @SuppressWarnings("unchecked")
  private static List<JsonObject> records(Chromium browser) {
    Object result = browser.driver().executeScript("return window.netnsRecords ?? [];");
    return ((List<Map<String, Object>>) result).stream().map(JsonObject::new).toList();
  }

  /** Waits until {@code count} records match {@code wanted}. */
  private static void awaitCount(Chromium browser, String what, Predicate<JsonObject> wanted, int count) {
    long deadline = System.nanoTime() + MERGE_DEADLINE.toNanos();
    List<JsonObject> records = records(browser);
    while (records.stream().filter(wanted).count() < count) {
      if (System.nanoTime() > deadline) {
        fail("not within " + MERGE_DEADLINE.toSeconds() + " s: " + what + "; the page recorded " + records);
      }
      sleep(POLL_INTERVAL);
      records = records(browser);
    }
  }

  private static JsonObject await(Chromium browser, String what, Predicate<JsonObject> wanted, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      List<JsonObject> records = records(browser);
      for (JsonObject record : records) {
        if (wanted.test(record)) {
          return record;
        }
      }
      if (System.nanoTime() > deadline) {
        fail("not within " + within.toSeconds() + " s: " + what + "; the page recorded " + records);
      }
      sleep(POLL_INTERVAL);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
