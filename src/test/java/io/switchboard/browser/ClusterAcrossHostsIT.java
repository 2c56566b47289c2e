package io.switchboard.browser;

import io.switchboard.browser.BrowserCallTest.Snapshot;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.switchboard.testing.netns.NetnsRig.home;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A cluster of three members on three hosts (each in its own namespace, with its own address, event-bus TLS, bound
 * to that address only) and a call between two browsers on two other hosts, each page on a different member. One
 * member is killed (SIGKILL): a session of it that cannot come back is announced as {@code node-lost} to the others,
 * and the page that was on it resumes on a survivor by itself while the call goes on.
 */
@DisplayName("A cluster across hosts: a call across members, a member killed")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ClusterAcrossHostsIT {

  /** Short, so the session that does not come back is announced soon; the page resumes well within it. */
  private static final Map<String, String> GRACE = Map.of("SWITCHBOARD_ROOMS_GRACE_PERIOD_SECONDS", "5");
  private static final Duration EVENT_DEADLINE = Duration.ofSeconds(25);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

  /**
   * In a joined demo page: records its client's presence events in {@code window.netnsEvents}, then connects a second
   * client ("carol") to the given node only, with a reconnect hook that gives up: carol cannot come back if her node
   * dies. Answers {@code {id}} (carol's session id) or {@code {error}}.
   */
  private static final String WATCH_AND_ADD_CAROL = """
    const [carolUrl, carolToken] = arguments;
    const done = arguments[arguments.length - 1];
    const events = window.netnsEvents = [];
    const client = window.switchboardDemo.client;
    client.on('peer-joined', ({peer}) => events.push({type: 'peer-joined', id: peer.id}));
    client.on('peer-left', ({id, reason}) => events.push({type: 'peer-left', id, reason}));
    import('/switchboard.js').then(({SwitchboardClient}) => {
      const carol = new SwitchboardClient({token: carolToken, urls: [carolUrl], reconnect: async () => null});
      return carol.connect();
    }).then((welcome) => done({id: welcome.id}), (error) => done({error: String(error)}));
    """;

  private static NetnsRig rig;
  private static NetnsCluster cluster;

  @BeforeAll
  static void buildNetworks() {
    rig = NetnsRig.up(3, home("a", Kind.DIRECT), home("b", Kind.DIRECT));
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
  @DisplayName("pages on two members call each other; member 1 is killed: carol's session there is node-lost, "
    + "alice's page resumes on member 3 with the same id, and the call goes on")
  void killedMemberIsLostAndItsPageResumes() throws Exception {
    NetnsNode first = cluster.member(1);
    NetnsNode second = cluster.member(2);
    NetnsNode third = cluster.member(3);
    for (int i = 1; i <= 3; i++) {
      assertListensOnlyOnItsAddress(i);
    }
    String room = TestNode.unique("hosts");
    String urlA = NetnsPages.pageUrl(first, room, "alice", List.of(first, third));
    String urlB = NetnsPages.pageUrl(second, room, "bob", List.of(second, third));
    List<String> origins = List.of(first.httpUrl(), second.httpUrl(), third.httpUrl());
    try (NetnsPages pages = new NetnsPages(rig)) {
      Chromium alice = pages.open("a", urlA, origins);
      Chromium bob = pages.open("b", urlB, origins);
      BrowserCallTest.Call call = BrowserCallTest.awaitCall(alice, urlA, bob, urlB);
      String aliceId = call.a().state().getString("id");
      assertEquals(first.nodeId(), call.a().state().getString("node"));
      assertEquals(second.nodeId(), call.b().state().getString("node"));

      String carolId = addCarol(bob, first, room);
      awaitEvent(bob, "bob hears carol join", e -> isEvent(e, "peer-joined", carolId));

      first.kill();

      awaitPage(alice, urlA, "alice resumed on " + third.nodeId(), page -> page.state().getBoolean("resumed", false)
        && aliceId.equals(page.state().getString("id")) && third.nodeId().equals(page.state().getString("node")));
      JsonObject lost = awaitEvent(bob, "carol announced as lost", e -> isEvent(e, "peer-left", carolId));
      assertEquals("node-lost", lost.getString("reason"), lost.encode());
      assertTrue(events(bob).stream().noneMatch(e -> isEvent(e, "peer-left", aliceId)),
        "alice resumed: bob never hears her leave: " + events(bob));
      assertNull(BrowserCallTest.snapshot(alice).problem("bob"), "the call goes on for alice");
      assertNull(BrowserCallTest.snapshot(bob).problem("alice"), "the call goes on for bob");
    }
  }

  /**
   * Every TCP listener of member {@code index} (HTTP, Hazelcast, event bus) is on its host's own address, none on a
   * wildcard or loopback, and its event bus runs with TLS.
   */
  private static void assertListensOnlyOnItsAddress(int index) {
    NetnsNode member = cluster.member(index);
    List<String> listeners = rig.exec(rig.nodeNamespace(index), "ss", "-Hltn").lines()
      .map(line -> line.trim().split("\\s+")).filter(columns -> columns.length >= 4).map(columns -> columns[3])
      .toList();
    assertTrue(listeners.size() >= 3, "HTTP, Hazelcast and the event bus: " + listeners);
    assertTrue(listeners.stream().allMatch(local -> local.startsWith(member.address() + ":")),
      member.nodeId() + " listens only on " + member.address() + ": " + listeners);
    assertTrue(member.curl("/health", null).contains("\"tls\":true"), member.curl("/health", null));
  }

  /** Carol joins {@code room} on {@code node} from a second client in bob's page; returns her session id. */
  private static String addCarol(Chromium bob, NetnsNode node, String room) {
    String token = TestTokens.participant(TestNode.unique("carol"), room, null);
    Object answer = bob.driver().executeAsyncScript(WATCH_AND_ADD_CAROL, node.wsUrl(), token);
    if (!(answer instanceof Map<?, ?> map) || map.get("id") == null) {
      throw new AssertionError("carol did not join: " + answer);
    }
    return String.valueOf(map.get("id"));
  }

  private static boolean isEvent(JsonObject event, String type, String id) {
    return type.equals(event.getString("type")) && id.equals(event.getString("id"));
  }

  @SuppressWarnings("unchecked")
  private static List<JsonObject> events(Chromium browser) {
    Object result = browser.driver().executeScript("return window.netnsEvents ?? [];");
    return ((List<Map<String, Object>>) result).stream().map(JsonObject::new).toList();
  }

  private static JsonObject awaitEvent(Chromium browser, String what, Predicate<JsonObject> wanted) {
    long deadline = System.nanoTime() + EVENT_DEADLINE.toNanos();
    while (true) {
      List<JsonObject> events = events(browser);
      for (JsonObject event : events) {
        if (wanted.test(event)) {
          return event;
        }
      }
      if (System.nanoTime() > deadline) {
        fail("not within " + EVENT_DEADLINE.toSeconds() + " s: " + what + "; events: " + events);
      }
      sleep(POLL_INTERVAL);
    }
  }

  private static void awaitPage(Chromium browser, String url, String what, Predicate<Snapshot> done) {
    long deadline = System.nanoTime() + EVENT_DEADLINE.toNanos();
    Snapshot snapshot = BrowserCallTest.snapshot(browser);
    while (!done.test(snapshot)) {
      if (System.nanoTime() > deadline) {
        fail("not within " + EVENT_DEADLINE.toSeconds() + " s: " + what + "\n"
          + BrowserCallTest.diagnostics(browser, url, snapshot));
      }
      sleep(POLL_INTERVAL);
      snapshot = BrowserCallTest.snapshot(browser);
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
