package io.switchboard.browser;

import io.switchboard.testing.Http;
import io.switchboard.testing.TcpProxy;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled SDK's reconnecting (webroot/README.md, "Reconnecting"), in a real Chromium page against real nodes:
 * the final close codes 4001 (replaced), 4002 (kicked) and 4003 (room full) end the session without another
 * socket, and after a lost connection the pauses between attempts follow the documented back-off.
 */
@DisplayName("The browser SDK reconnecting")
class SdkReconnectTest {

  /** Attempts kept going in the back-off test: enough to reach the 10 s cap (attempt 6 onwards). */
  private static final int BACKOFF_ATTEMPTS = 7;
  private static final long BACKOFF_FIRST_MILLIS = 500;
  private static final long BACKOFF_MAX_MILLIS = 10_000;
  /**
   * Attempts whose pause is also bounded from above: from attempt 5 on, the documented shortest and longest pause
   * are at least 4 s apart, so a late timer cannot break the upper bound, while a pause that is not shortened
   * (no jitter) or not capped reaches it.
   */
  private static final int FIRST_UPPER_BOUNDED_ATTEMPT = 5;
  /** performance.now() is coarsened (Chromium: 0.1 ms with jitter); a timer never fires early otherwise. */
  private static final double CLOCK_GRAIN_MILLIS = 1.0;
  /** Far above anything the page needs; a slow machine only makes the test slower. */
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  /** The hook of the final-close tests never gives up by itself: only the close code may stop the client. */
  private static final int NEVER = Integer.MAX_VALUE;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private Chromium browser;
  private Vertx vertx;

  @BeforeEach
  void startBrowser() {
    Chromium.requireInstalled();
    browser = Chromium.start("sdk-reconnect");
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    List<AutoCloseable> all = new ArrayList<>();
    all.add(browser);
    all.addAll(resources);
    all.add(() -> vertx.close().await(10, TimeUnit.SECONDS));
    resources.clear();
    BrowserResources.closeAll(all);
  }

  @Test
  @DisplayName("replaced (4001) by a newer session of the same identity, the page opens no new socket")
  void noReconnectAfterReplaced() {
    TestNode node = start(TestNode.start());
    String room = TestNode.unique("sdk");
    String identity = TestNode.unique("page");
    SdkPage page = SdkPage.open(browser, node.port());
    page.connect(List.of(SdkPage.socketUrl(node.port())), node.token(identity, room), NEVER);

    WebSocketClient sockets = WsClient.newClient(vertx);
    WsClient newer = WsClient.join(sockets, node.port(), node.token(identity, room));
    resources.add(newer::close);

    assertFinalClose(page, 4001, 0);
  }

  @Test
  @DisplayName("kicked (4002) through the admin API, the page opens no new socket")
  void noReconnectAfterKick() {
    TestNode node = start(TestNode.start());
    String room = TestNode.unique("sdk");
    SdkPage page = SdkPage.open(browser, node.port());
    String id = page.connect(List.of(SdkPage.socketUrl(node.port())), node.token(TestNode.unique("page"), room),
      NEVER);

    Http.Response kick = Http.delete(node.port(), "/api/rooms/" + room + "/participants/" + id, node.adminToken());
    assertEquals(200, kick.status(), kick.body());

    assertFinalClose(page, 4002, 0);
  }

  @Test
  @DisplayName("reconnecting into a room that filled up meanwhile (4003), the page stops after that attempt")
  void noReconnectAfterRoomFull() throws Exception {
    TestNode first = start(TestNode.start());
    TestNode second = start(TestNode.start(new JsonObject()
      .put("limits", new JsonObject().put("maxParticipantsPerRoom", 1))));
    String room = TestNode.unique("sdk");
    // the second node does not know the first one's session: the resume there fails, and the fresh join finds
    // the room full
    WsClient occupant = WsClient.join(WsClient.newClient(vertx), second.port(),
      second.token(TestNode.unique("occupant"), room));
    resources.add(occupant::close);
    SdkPage page = SdkPage.open(browser, first.port());
    page.connect(List.of(SdkPage.socketUrl(first.port()), SdkPage.socketUrl(second.port())),
      first.token(TestNode.unique("page"), room), NEVER);

    resources.remove(first);
    first.close(); // 1001: the SDK reconnects, starting with the next URL

    List<JsonObject> records = assertFinalClose(page, 4003, 1);
    JsonObject goingAway = records.stream().filter(r -> "close".equals(r.getString("kind"))).findFirst().orElseThrow();
    assertEquals(1001, goingAway.getInteger("code"), SdkPage.describe(records));
    assertTrue(goingAway.getBoolean("willReconnect"), "1001 is retried:\n" + SdkPage.describe(records));
  }

  @Test
  @DisplayName("after a lost connection the pauses between attempts double from 0.5 s up to 10 s, shortened by "
    + "up to half")
  void backoffBetweenAttempts() {
    TestNode node = start(TestNode.start());
    // the page reaches the node through a proxy: closing it cuts the connection (1006) and leaves nothing listening,
    // so every attempt is refused at once
    TcpProxy proxy = TcpProxy.to(node.port());
    resources.add(proxy);
    SdkPage page = SdkPage.open(browser, node.port());
    page.connect(List.of(SdkPage.socketUrl(proxy.port())), node.token(TestNode.unique("page"), TestNode.unique("sdk")),
      BACKOFF_ATTEMPTS);
    // the jitter at its extreme: every pause is the shortest the schedule allows
    page.fixRandom(0);

    proxy.close();

    page.awaitRecord("state 'closed' (the hook gives up at attempt " + BACKOFF_ATTEMPTS + ")",
      r -> "state".equals(r.getString("kind")) && "closed".equals(r.getString("state")), DEADLINE);
    List<JsonObject> records = page.records();
    String all = "\nthe page recorded:\n" + SdkPage.describe(records);
    List<Double> pauses = pausesBeforeAttempts(records, all);
    assertEquals(BACKOFF_ATTEMPTS, pauses.size(), "one hook call per attempt" + all);
    // the first socket, then one per attempt but the last, where the hook gave up
    assertEquals(BACKOFF_ATTEMPTS, records.stream().filter(r -> "socket".equals(r.getString("kind"))).count(),
      "sockets opened" + all);
    for (int attempt = 1; attempt <= BACKOFF_ATTEMPTS; attempt++) {
      long longest = Math.min(BACKOFF_MAX_MILLIS, BACKOFF_FIRST_MILLIS << (attempt - 1));
      long shortest = longest / 2;
      double pause = pauses.get(attempt - 1);
      assertTrue(pause >= shortest - CLOCK_GRAIN_MILLIS,
        "attempt " + attempt + " came " + pause + " ms after the close before it, at least " + shortest + " expected"
          + all);
      if (attempt >= FIRST_UPPER_BOUNDED_ATTEMPT) {
        assertTrue(pause < longest, "attempt " + attempt + " came " + pause + " ms after the close before it, "
          + "with Math.random() at 0 it waits " + shortest + " ms, never the full " + longest + all);
      }
    }
  }

  // ---- steps ----

  private TestNode start(TestNode node) {
    resources.add(node);
    return node;
  }

  /**
   * Waits for the close with {@code code} and its quiet record, then asserts that the page gave up: the close said
   * it would not reconnect, the client is {@code closed}, and no hook call and no socket came after it, in a page
   * that had called its hook {@code hookCallsBefore} times before.
   *
   * @return everything the page recorded
   */
  private static List<JsonObject> assertFinalClose(SdkPage page, int code, int hookCallsBefore) {
    page.awaitRecord("quiet record after a close with " + code,
      r -> "quiet".equals(r.getString("kind")) && r.getInteger("code") == code, DEADLINE);
    List<JsonObject> records = page.records();
    String all = "\nthe page recorded:\n" + SdkPage.describe(records);
    int closeIndex = indexOfClose(records, code);
    assertTrue(closeIndex >= 0, "no close with " + code + all);
    List<JsonObject> after = records.subList(closeIndex + 1, records.size()).stream()
      .filter(r -> List.of("socket", "hook").contains(r.getString("kind"))).toList();
    assertEquals(List.of(), after, "no reconnect attempt after " + code + " (webroot/README.md, \"Final closes are not "
      + "retried\")" + all);
    assertFalse(records.get(closeIndex).getBoolean("willReconnect"), "close " + code + " is final" + all);
    long hookCalls = records.stream().filter(r -> "hook".equals(r.getString("kind"))).count();
    assertEquals(hookCallsBefore, hookCalls, "reconnect hook calls" + all);
    assertEquals("closed", page.clientState(), all);
    return records;
  }

  private static int indexOfClose(List<JsonObject> records, int code) {
    for (int i = 0; i < records.size(); i++) {
      JsonObject record = records.get(i);
      if ("close".equals(record.getString("kind")) && record.getInteger("code") == code) {
        return i;
      }
    }
    return -1;
  }

  /**
   * For each hook call in order: how long after the latest close it came, in the page's milliseconds. The SDK calls
   * the hook right after its pause, so this is the pause plus however late the timer fired.
   */
  private static List<Double> pausesBeforeAttempts(List<JsonObject> records, String all) {
    List<Double> pauses = new ArrayList<>();
    JsonObject lastClose = null;
    for (JsonObject record : records) {
      String kind = record.getString("kind");
      if ("close".equals(kind)) {
        assertTrue(record.getBoolean("willReconnect"), "every close before the hook gives up is retried" + all);
        lastClose = record;
      } else if ("hook".equals(kind)) {
        assertEquals(pauses.size() + 1, record.getInteger("attempt"), "attempts are numbered from 1" + all);
        assertTrue(lastClose != null, "a hook call before any close" + all);
        pauses.add(record.getDouble("t") - lastClose.getDouble("t"));
      }
    }
    return pauses;
  }
}
