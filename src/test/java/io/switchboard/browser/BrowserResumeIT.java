package io.switchboard.browser;

import io.switchboard.browser.BrowserCallTest.Call;
import io.switchboard.browser.BrowserCallTest.Snapshot;
import io.switchboard.testing.Http;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.ProcessCluster;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The demo page on a cluster of node processes, each page with a list of nodes ({@code #nodes=}): when the node
 * holding one page is killed (SIGKILL), the SDK resumes the session on a survivor by itself, the peer connection
 * (peer to peer) never stops carrying media, and signaling through the survivor still works: an ICE restart is
 * negotiated after the resume. Then the other page's node shuts down gracefully (1001), and that page resumes
 * too, starting with the next URL of its list.
 *
 * <p>Alice's page is on node 1 with {@code #nodes=node1,node3}, Bob's on node 2 with {@code #nodes=node2,node3};
 * node 1 is killed, so Alice resumes on node 3 and her signaling with Bob crosses the cluster afterwards; node 2
 * is terminated, so Bob resumes on node 3 as well.
 */
@DisplayName("The demo page resumes by itself when its node is killed or shuts down")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BrowserResumeIT {

  private static final System.Logger LOG = System.getLogger(BrowserResumeIT.class.getName());
  private static final Duration RESUME_DEADLINE = Duration.ofSeconds(15);
  private static final Duration ICE_RESTART_DEADLINE = Duration.ofSeconds(15);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

  /**
   * Installed in a page once the call is up: marks the current RTCPeerConnection (to recognise it after the
   * resume), and records every client state change with the media received so far, every socket close (code and
   * URL), and every presence, offer, answer and resume-failed event the SDK emits.
   */
  private static final String WATCH_SCRIPT = """
    const demo = window.switchboardDemo;
    const client = demo.client;
    const [peerId, pc] = [...demo.peerConnections][0];
    pc.resumeTestMark = 'before-kill';
    const watch = {states: [], closes: [], events: [], pending: []};
    window.resumeTestWatch = watch;
    client.on('state', ({state}) => {
      const entry = {state, at: performance.now(), connectionState: pc.connectionState};
      watch.states.push(entry);
      watch.pending.push(pc.getStats().then((report) => {
        entry.framesDecoded = 0;
        entry.bytesReceived = 0;
        for (const stat of report.values()) {
          if (stat.type !== 'inbound-rtp') continue;
          entry.bytesReceived += stat.bytesReceived ?? 0;
          if (stat.kind === 'video') entry.framesDecoded += stat.framesDecoded ?? 0;
        }
      }));
    });
    client.on('close', ({code, url}) => watch.closes.push({code, url}));
    for (const type of ['peer-joined', 'peer-left', 'resume-failed', 'error', 'offer', 'answer']) {
      client.on(type, (detail) => watch.events.push({type, from: detail?.from ?? detail?.id ?? detail?.peer?.id
        ?? null, reason: detail?.reason ?? null}));
    }
    return peerId;
    """;

  /** What {@link #WATCH_SCRIPT} recorded, and whether the page still uses the marked RTCPeerConnection. */
  private static final String WATCHED_SCRIPT = """
    const done = arguments[arguments.length - 1];
    const watch = window.resumeTestWatch;
    const pcs = [...window.switchboardDemo.peerConnections.values()];
    Promise.all(watch.pending).then(() => done({states: watch.states, closes: watch.closes, events: watch.events,
      samePeerConnection: pcs.length === 1 && pcs[0].resumeTestMark === 'before-kill'}));
    """;

  /** Restarts ICE on the page's only RTCPeerConnection; returns the ICE ufrags in use before. */
  private static final String RESTART_ICE_SCRIPT = """
    const pc = [...window.switchboardDemo.peerConnections.values()][0];
    const ufrag = (description) => /a=ice-ufrag:(\\S+)/.exec(description?.sdp ?? '')?.[1] ?? null;
    const before = {local: ufrag(pc.localDescription), remote: ufrag(pc.remoteDescription)};
    pc.restartIce();
    return before;
    """;

  private static final String ICE_STATE_SCRIPT = """
    const pc = [...window.switchboardDemo.peerConnections.values()][0];
    const ufrag = (description) => /a=ice-ufrag:(\\S+)/.exec(description?.sdp ?? '')?.[1] ?? null;
    return {local: ufrag(pc.localDescription), remote: ufrag(pc.remoteDescription),
      signalingState: pc.signalingState, connectionState: pc.connectionState,
      iceConnectionState: pc.iceConnectionState};
    """;

  private final List<AutoCloseable> browsers = new ArrayList<>();
  private ProcessCluster cluster;

  @BeforeEach
  void requireBrowser() {
    Chromium.requireInstalled();
  }

  @AfterEach
  void tearDown() throws Exception {
    List<AutoCloseable> resources = new ArrayList<>(browsers);
    resources.add(cluster); // every node process, also the killed one's log
    browsers.clear();
    cluster = null;
    BrowserResources.closeAll(resources);
  }

  @Test
  @DisplayName("SIGKILL of a page's node: media keeps flowing, the page resumes on a survivor with the same id, "
    + "an ICE restart is negotiated through the survivor; then the other page's node drains (1001) and it resumes too")
  void resumeAfterKillThenAfterShutdown() {
    long startedAt = System.nanoTime();
    cluster = ProcessCluster.start(3, 3, Map.of());
    log("three node processes up after %d ms", elapsedMs(startedAt));
    NodeProcess first = cluster.node(0);
    NodeProcess second = cluster.node(1);
    NodeProcess third = cluster.node(2);
    String room = TestNode.unique("resume");
    Pages pages = startCall(room, List.of(first, third), List.of(second, third));
    Call call = pages.callAtStart();
    assertEquals(first.nodeId(), call.a().state().getString("node"), "alice joined through the first URL");
    assertEquals(second.nodeId(), call.b().state().getString("node"), "bob joined through the first URL");
    log("call up after %d ms", elapsedMs(startedAt));

    killAliceNodeAndAwaitResume(pages, first, third);
    // the cluster agrees: alice is held by node 3, with her id
    JsonArray participants = Http.get(second.port(), "/api/rooms/" + encode(room), TestTokens.admin()).json()
      .getJsonArray("participants");
    Map<String, String> nodeById = participants.stream().map(JsonObject.class::cast)
      .collect(Collectors.toMap(p -> p.getString("id"), p -> p.getString("node")));
    assertEquals(Map.of(pages.aliceId(), third.nodeId(), pages.bobId(), second.nodeId()), nodeById,
      participants.encode());

    // an ICE restart from alice: offer through node 3, bob's answer through node 2 and back
    restartIceFromA(pages, third);
    terminateBobNodeAndAwaitResume(pages, second, third);

    // and the call as a whole is still the same one: one peer each, connected, decoding
    Snapshot endA = BrowserCallTest.snapshot(pages.browserA());
    Snapshot endB = BrowserCallTest.snapshot(pages.browserB());
    assertEquals(null, endA.problem("bob"), endA.json().encode());
    assertEquals(null, endB.problem("alice"), endB.json().encode());
    assertEquals(pages.aliceId(), endA.state().getString("id"));
    assertEquals(pages.bobId(), endB.state().getString("id"));
    log("test body took %d ms", elapsedMs(startedAt));
  }

  /** Node 1 dies: alice's signaling is gone, her media path to bob is not; she resumes on node 3. */
  private static void killAliceNodeAndAwaitResume(Pages pages, NodeProcess first, NodeProcess third) {
    Snapshot atKillA = BrowserCallTest.snapshot(pages.browserA());
    Snapshot atKillB = BrowserCallTest.snapshot(pages.browserB());
    long killedAt = System.nanoTime();
    first.kill();

    List<String> notConnected = new ArrayList<>();
    Snapshot resumedA = awaitPage(pages.browserA(), pages.urlA(), RESUME_DEADLINE, "alice resumed on node 3",
      snapshot -> {
        for (Snapshot page : List.of(snapshot, BrowserCallTest.snapshot(pages.browserB()))) {
          notConnected.addAll(statesOtherThanConnected(page));
        }
        return resumedOn(snapshot, pages.aliceId(), third);
      });
    log("alice resumed on %s %d ms after the kill", third.nodeId(), elapsedMs(killedAt));
    assertTrue(notConnected.isEmpty(), "the peer connections stayed connected through the kill: " + notConnected);
    assertTrue(resumedA.json().getString("status", "").contains("resumed"),
      "the status line says so: " + resumedA.json().getString("status"));

    JsonObject watchedA = watched(pages.browserA());
    JsonObject watchedB = watched(pages.browserB());
    assertEquals(true, watchedA.getBoolean("samePeerConnection"), "alice keeps her RTCPeerConnection: " + watchedA);
    assertEquals(true, watchedB.getBoolean("samePeerConnection"), "bob keeps his RTCPeerConnection: " + watchedB);
    assertEquals(List.of("reconnecting", "open"), states(watchedA), "alice's client: " + watchedA);
    // the drop, then a first attempt on the same URL (refused: the node is dead), then the next URL, which resumed
    assertEquals(List.of("1006 " + wsUrl(first), "1006 " + wsUrl(first)), closes(watchedA), "alice's sockets");
    assertEquals(List.of(), states(watchedB), "bob's client never noticed: " + watchedB);
    assertEquals(List.of(), watchedA.getJsonArray("events").getList(), "no presence change, no resume-failed");
    assertEquals(List.of(), watchedB.getJsonArray("events").getList(), "bob hears nothing of it");
    JsonObject gapStart = watchedA.getJsonArray("states").getJsonObject(0);
    JsonObject gapEnd = watchedA.getJsonArray("states").getJsonObject(1);
    log("alice had no signaling for %.0f ms", gapEnd.getDouble("at") - gapStart.getDouble("at"));
    assertTrue(gapEnd.getLong("framesDecoded") > gapStart.getLong("framesDecoded"),
      "alice decoded bob's video while her client was reconnecting: " + watchedA);
    assertTrue(gapEnd.getLong("bytesReceived") > gapStart.getLong("bytesReceived"),
      "alice received media while her client was reconnecting: " + watchedA);
    assertMediaGrows(pages.browserB(), atKillB, "bob, from the kill to alice's resume");
    assertMediaGrows(pages.browserA(), atKillA, "alice, from the kill to her resume");
  }

  /** Node 2 shuts down (SIGTERM, close 1001): bob starts with the next URL of his list and resumes there. */
  private static void terminateBobNodeAndAwaitResume(Pages pages, NodeProcess second, NodeProcess third) {
    Snapshot beforeDrainA = BrowserCallTest.snapshot(pages.browserA());
    Snapshot beforeDrainB = BrowserCallTest.snapshot(pages.browserB());
    long drainAt = System.nanoTime();
    second.terminate();
    awaitPage(pages.browserB(), pages.urlB(), RESUME_DEADLINE, "bob resumed on node 3",
      snapshot -> resumedOn(snapshot, pages.bobId(), third));
    log("bob resumed on %s %d ms after node 2 was told to shut down", third.nodeId(), elapsedMs(drainAt));
    JsonObject watchedB = watched(pages.browserB());
    assertEquals(true, watchedB.getBoolean("samePeerConnection"), "bob keeps his RTCPeerConnection: " + watchedB);
    assertEquals(List.of("reconnecting", "open"), states(watchedB), "bob's client: " + watchedB);
    assertEquals(List.of("1001 " + wsUrl(second)), closes(watchedB), "1001, then straight to node 3: " + watchedB);
    assertTrue(eventTypes(watchedB).stream().noneMatch(BrowserResumeIT::presenceOrFailure), watchedB.toString());
    assertTrue(eventTypes(watched(pages.browserA())).stream().noneMatch(BrowserResumeIT::presenceOrFailure),
      "alice hears nothing of it");
    assertMediaGrows(pages.browserA(), beforeDrainA, "alice, across bob's resume");
    assertMediaGrows(pages.browserB(), beforeDrainB, "bob, across his resume");
  }

  /**
   * Guards a bug this test found (issue 10): the oldest surviving member times the grace period of a lost node's
   * sessions; when such a session was resumed on that same node, the timer used to survive the resume, and when
   * it fired the node took the store's "connected again" for "lost" and dropped the resumed session from its
   * room (its peers heard peer-left, frames to it were refused) while its socket stayed open. In a cluster of two
   * every resume after a node loss lands on the oldest member, so every call kept up through a node loss broke
   * when the grace period ended.
   */
  @Test
  @DisplayName("a page resumed on the oldest survivor after its node was killed is still in the call after the grace "
    + "period")
  void resumedCallOutlivesTheGracePeriod() {
    cluster = ProcessCluster.start(2, 2, Map.of("SWITCHBOARD_ROOMS_GRACE_PERIOD_SECONDS", "4"));
    NodeProcess first = cluster.node(0);
    NodeProcess second = cluster.node(1);
    Pages pages = startCall(TestNode.unique("resume"), List.of(first, second), List.of(second));

    long killedAt = System.nanoTime();
    first.kill();
    awaitPage(pages.browserA(), pages.urlA(), RESUME_DEADLINE, "alice resumed on node 2",
      snapshot -> resumedOn(snapshot, pages.aliceId(), second));
    // past the end of the grace period the survivor set when it noticed the loss (under 1 s, plus 4 s)
    sleep(Duration.ofMillis(Math.max(0, 8000 - elapsedMs(killedAt))));

    List<String> signalingB = eventTypes(watched(pages.browserB()));
    assertTrue(signalingB.stream().noneMatch(BrowserResumeIT::presenceOrFailure), "bob: " + signalingB);
    Snapshot a = BrowserCallTest.snapshot(pages.browserA());
    Snapshot b = BrowserCallTest.snapshot(pages.browserB());
    assertEquals(null, a.problem("bob"), a.json().encode());
    assertEquals(null, b.problem("alice"), b.json().encode());
    restartIceFromA(pages, second);
  }

  // ---- steps ----

  /** The two pages of a call, and what each showed once the call was up. */
  private record Pages(Chromium browserA, String urlA, Chromium browserB, String urlB, Call callAtStart) {

    String aliceId() {
      return callAtStart.a().state().getString("id");
    }

    String bobId() {
      return callAtStart.b().state().getString("id");
    }
  }

  /** Opens both pages, waits for the call, and installs {@link #WATCH_SCRIPT} in each. */
  private Pages startCall(String room, List<NodeProcess> nodesA, List<NodeProcess> nodesB) {
    String urlA = pageUrl(nodesA.get(0), room, "alice", nodesA);
    String urlB = pageUrl(nodesB.get(0), room, "bob", nodesB);
    Chromium browserA = startBrowser("alice");
    Chromium browserB = startBrowser("bob");
    browserA.driver().get(urlA);
    browserB.driver().get(urlB);
    Pages pages = new Pages(browserA, urlA, browserB, urlB, BrowserCallTest.awaitCall(browserA, urlA, browserB, urlB));
    assertEquals(pages.bobId(), browserA.driver().executeScript(WATCH_SCRIPT));
    assertEquals(pages.aliceId(), browserB.driver().executeScript(WATCH_SCRIPT));
    return pages;
  }

  private static boolean resumedOn(Snapshot snapshot, String id, NodeProcess node) {
    JsonObject state = snapshot.state();
    return state.getBoolean("joined", false) && state.getBoolean("resumed", false)
      && id.equals(state.getString("id")) && node.nodeId().equals(state.getString("node"));
  }

  private static List<String> statesOtherThanConnected(Snapshot page) {
    JsonObject stats = page.stats();
    return stats.fieldNames().stream().map(peer -> stats.getJsonObject(peer).getString("connectionState"))
      .filter(state -> !"connected".equals(state)).toList();
  }

  /**
   * Restarts ICE on page A's peer connection and waits until the new offer and answer went through signaling
   * (new ICE ufrags on both sides, signaling stable, still connected, media still growing on both pages).
   */
  private static void restartIceFromA(Pages pages, NodeProcess nodeOfA) {
    Chromium browserA = pages.browserA();
    Chromium browserB = pages.browserB();
    String urlA = pages.urlA();
    String urlB = pages.urlB();
    long restartAt = System.nanoTime();
    Snapshot beforeRestartA = BrowserCallTest.snapshot(browserA);
    Snapshot beforeRestartB = BrowserCallTest.snapshot(browserB);
    JsonObject ufragsBefore = script(browserA, RESTART_ICE_SCRIPT);
    JsonObject latest = new JsonObject();
    long waitEnd = System.nanoTime() + ICE_RESTART_DEADLINE.toNanos();
    while (!iceRestarted(ufragsBefore, latest) && System.nanoTime() < waitEnd) {
      sleep(POLL_INTERVAL);
      latest = script(browserA, ICE_STATE_SCRIPT);
    }
    if (!iceRestarted(ufragsBefore, latest)) {
      fail("the ICE restart did not complete within " + ICE_RESTART_DEADLINE.toSeconds() + " s: before "
        + ufragsBefore.encode() + ", now " + latest.encode() + "\n"
        + BrowserCallTest.diagnostics(browserA, urlA, BrowserCallTest.snapshot(browserA))
        + BrowserCallTest.diagnostics(browserB, urlB, BrowserCallTest.snapshot(browserB))
        + "---- log of " + nodeOfA.nodeId() + ":\n" + nodeOfA.tail());
    }
    log("ICE restart negotiated in %d ms: %s", elapsedMs(restartAt), latest.encode());
    List<String> signalingA = eventTypes(watched(browserA));
    List<String> signalingB = eventTypes(watched(browserB));
    assertTrue(signalingA.contains("answer"), "alice got bob's answer: " + signalingA);
    assertTrue(signalingB.contains("offer"), "bob got alice's restart offer: " + signalingB);
    assertTrue(signalingA.stream().noneMatch(BrowserResumeIT::presenceOrFailure), signalingA.toString());
    assertTrue(signalingB.stream().noneMatch(BrowserResumeIT::presenceOrFailure), signalingB.toString());
    assertMediaGrows(browserA, beforeRestartA, "alice, across the ICE restart");
    assertMediaGrows(browserB, beforeRestartB, "bob, across the ICE restart");
  }

  private static boolean presenceOrFailure(String eventType) {
    return eventType.startsWith("peer-") || eventType.equals("resume-failed");
  }

  private Chromium startBrowser(String name) {
    Chromium browser = Chromium.start(name);
    browsers.add(browser);
    return browser;
  }

  /**
   * The demo page served by {@code home}, joining at once with a token minted here (identity {@code name-<suffix>})
   * and the SDK given the WebSocket URLs of {@code nodes}, in that order.
   */
  private static String pageUrl(NodeProcess home, String room, String name, List<NodeProcess> nodes) {
    String token = TestTokens.participant(TestNode.unique(name), room, null);
    String wsUrls = nodes.stream().map(BrowserResumeIT::wsUrl).collect(Collectors.joining(","));
    return "http://127.0.0.1:" + home.port() + "/?name=" + encode(name) + "&autojoin=1#token=" + token
      + "&nodes=" + wsUrls;
  }

  private static String wsUrl(NodeProcess node) {
    return "ws://127.0.0.1:" + node.port() + "/ws";
  }

  /** Polls the page until {@code done} holds, or fails with the page's diagnostics. */
  private static Snapshot awaitPage(Chromium browser, String url, Duration within, String what,
                                    Predicate<Snapshot> done) {
    long deadline = System.nanoTime() + within.toNanos();
    Snapshot snapshot = BrowserCallTest.snapshot(browser);
    while (!done.test(snapshot)) {
      if (System.nanoTime() > deadline) {
        fail("not within " + within.toSeconds() + " s: " + what + "\n"
          + BrowserCallTest.diagnostics(browser, url, snapshot));
      }
      sleep(POLL_INTERVAL);
      snapshot = BrowserCallTest.snapshot(browser);
    }
    return snapshot;
  }

  /** The page's only peer decodes more frames and receives more bytes now than at {@code earlier}. */
  private static void assertMediaGrows(Chromium browser, Snapshot earlier, String who) {
    JsonObject before = earlier.onlyPeerStats();
    JsonObject now = BrowserCallTest.snapshot(browser).onlyPeerStats();
    assertEquals("connected", now.getString("connectionState"), who + ": " + now.encode());
    assertTrue(now.getLong("framesDecoded") > before.getLong("framesDecoded"),
      who + ": frames decoded " + before.getLong("framesDecoded") + " then " + now.getLong("framesDecoded"));
    assertTrue(now.getLong("bytesReceived") > before.getLong("bytesReceived"),
      who + ": bytes received " + before.getLong("bytesReceived") + " then " + now.getLong("bytesReceived"));
  }

  private static boolean iceRestarted(JsonObject before, JsonObject now) {
    return "stable".equals(now.getString("signalingState"))
      && "connected".equals(now.getString("connectionState"))
      && now.getString("local") != null && !now.getString("local").equals(before.getString("local"))
      && now.getString("remote") != null && !now.getString("remote").equals(before.getString("remote"));
  }

  @SuppressWarnings("unchecked")
  private static JsonObject watched(Chromium browser) {
    Object result = browser.driver().executeAsyncScript(WATCHED_SCRIPT);
    if (!(result instanceof Map<?, ?> map)) {
      throw new AssertionError("the watch script returned " + result);
    }
    return new JsonObject((Map<String, Object>) map);
  }

  private static List<String> states(JsonObject watched) {
    return watched.getJsonArray("states").stream().map(JsonObject.class::cast).map(s -> s.getString("state")).toList();
  }

  /** Each socket close as "code url". */
  private static List<String> closes(JsonObject watched) {
    return watched.getJsonArray("closes").stream().map(JsonObject.class::cast)
      .map(c -> c.getLong("code") + " " + c.getString("url")).toList();
  }

  private static List<String> eventTypes(JsonObject watched) {
    return watched.getJsonArray("events").stream().map(JsonObject.class::cast).map(e -> e.getString("type")).toList();
  }

  @SuppressWarnings("unchecked")
  private static JsonObject script(Chromium browser, String script) {
    Object result = browser.driver().executeScript(script);
    if (!(result instanceof Map<?, ?> map)) {
      throw new AssertionError("the script returned " + result);
    }
    return new JsonObject((Map<String, Object>) map);
  }

  private static long elapsedMs(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  private static void log(String format, Object... args) {
    LOG.log(System.Logger.Level.INFO, () -> String.format(format, args));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
