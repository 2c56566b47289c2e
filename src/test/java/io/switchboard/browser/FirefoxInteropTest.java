package io.switchboard.browser;

import io.switchboard.browser.BrowserCallTest.Snapshot;
import io.switchboard.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The demo page in Firefox and in Chromium, in one call: the page has to work in both engines, and they have to
 * agree with each other (SDP, ICE, codecs), whichever of them makes the offer.
 *
 * <p>Firefox runs as a plain headless process ({@link HeadlessFirefox}; there is no geckodriver here) and its page is
 * read through WebDriver BiDi ({@link FirefoxBidi}). Each page must be connected to exactly one peer, the other
 * browser's participant, and decode the video it sends (each browser's fake camera). Who offers is decided by who
 * joins last (webroot/mesh.js: the newcomer offers), so each test lets one page join before the other page loads
 * and checks afterwards which side offered.
 */
@DisplayName("A call between Firefox and Chromium")
class FirefoxInteropTest {

  private static final Duration JOIN_DEADLINE = Duration.ofSeconds(60);
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(30);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

  private static final String FIREFOX_NAME = "firefox";
  private static final String CHROMIUM_NAME = "chromium";

  /** BrowserCallTest's snapshot script as one expression, returning the snapshot JSON-encoded (BiDi wants a string). */
  private static final String FIREFOX_SNAPSHOT = """
    (async () => {
      const demo = window.switchboardDemo;
      const status = document.getElementById('status')?.textContent ?? null;
      if (!demo) {
        return JSON.stringify({error: 'window.switchboardDemo is not defined (page not loaded, or app.js failed)',
          status});
      }
      try {
        return JSON.stringify({state: demo.state(), stats: await demo.stats(), status});
      } catch (error) {
        return JSON.stringify({error: 'stats() rejected: ' + error, state: demo.state(), status});
      }
    })()
    """;

  /** The type of each peer connection's current local description: "offer" on the side that offered. */
  private static final String LOCAL_DESCRIPTION_TYPES = "JSON.stringify([...window.switchboardDemo.peerConnections"
    + ".values()].map((pc) => pc.currentLocalDescription?.type ?? null))";

  private TestNode node;
  private HeadlessFirefox firefox;
  private FirefoxBidi firefoxPage;
  private Chromium chromium;
  private String firefoxUrl;
  private String chromiumUrl;

  @BeforeEach
  void start() {
    HeadlessFirefox.requireInstalled();
    Chromium.requireInstalled();
    node = TestNode.start(TestNode.development());
    String room = TestNode.unique("interop");
    firefoxUrl = pageUrl(room, FIREFOX_NAME);
    chromiumUrl = pageUrl(room, CHROMIUM_NAME);
  }

  @AfterEach
  void tearDown() throws Exception {
    List<AutoCloseable> resources = Arrays.asList(firefoxPage, firefox, chromium, node);
    firefoxPage = null;
    firefox = null;
    chromium = null;
    node = null;
    BrowserResources.closeAll(resources);
  }

  @Test
  @DisplayName("Chromium joins last and offers, Firefox answers; each decodes the other's video")
  void chromiumOffersFirefoxAnswers() {
    startFirefox();
    awaitJoined(FIREFOX_NAME, this::firefoxSnapshot);
    startChromium();

    awaitCall();

    assertEquals(List.of("offer"), localDescriptionTypes(chromiumTypes()), "Chromium joined last: it offered");
    assertEquals(List.of("answer"), localDescriptionTypes(firefoxPage.evaluate(LOCAL_DESCRIPTION_TYPES)),
      "Firefox answered");
  }

  @Test
  @DisplayName("Firefox joins last and offers, Chromium answers; each decodes the other's video")
  void firefoxOffersChromiumAnswers() {
    startChromium();
    awaitJoined(CHROMIUM_NAME, () -> BrowserCallTest.snapshot(chromium));
    startFirefox();

    awaitCall();

    assertEquals(List.of("offer"), localDescriptionTypes(firefoxPage.evaluate(LOCAL_DESCRIPTION_TYPES)),
      "Firefox joined last: it offered");
    assertEquals(List.of("answer"), localDescriptionTypes(chromiumTypes()), "Chromium answered");
  }

  // ---- steps ----

  private void startFirefox() {
    firefox = HeadlessFirefox.start(FIREFOX_NAME, firefoxUrl);
    firefoxPage = firefox.bidi();
  }

  private void startChromium() {
    chromium = Chromium.start(CHROMIUM_NAME);
    chromium.driver().get(chromiumUrl);
  }

  /** The Firefox page's snapshot, or why it could not be read (still loading, the browser gone, ...). */
  private Snapshot firefoxSnapshot() {
    try {
      JsonObject json = new JsonObject(firefoxPage.evaluate(FIREFOX_SNAPSHOT));
      return new Snapshot(json.getString("error"), json);
    } catch (RuntimeException e) {
      return Snapshot.failed("reading the Firefox page failed: " + e.getMessage(), new JsonObject());
    }
  }

  private String chromiumTypes() {
    return String.valueOf(chromium.driver().executeScript("return " + LOCAL_DESCRIPTION_TYPES + ";"));
  }

  private static List<String> localDescriptionTypes(String json) {
    return new JsonArray(json).stream().map(String::valueOf).toList();
  }

  /** Waits until the page named {@code name} has joined the room (alone: the other page is not loaded yet). */
  private void awaitJoined(String name, Supplier<Snapshot> page) {
    Snapshot snapshot = poll(page, s -> s.state().getBoolean("joined", false), JOIN_DEADLINE);
    if (!snapshot.state().getBoolean("joined", false)) {
      fail("The " + name + " page did not join within " + JOIN_DEADLINE.toSeconds() + " s: "
        + snapshot.json().encodePrettily() + "\n" + diagnostics(null, null));
    }
  }

  /** Waits until each page is in a call with the other one, connected and decoding its video. */
  private void awaitCall() {
    long deadline = System.nanoTime() + CALL_DEADLINE.toNanos();
    Snapshot chromiumSide = BrowserCallTest.snapshot(chromium);
    Snapshot firefoxSide = firefoxSnapshot();
    while ((chromiumSide.problem(FIREFOX_NAME) != null || firefoxSide.problem(CHROMIUM_NAME) != null)
      && System.nanoTime() < deadline && firefox.isRunning()) {
      sleep(POLL_INTERVAL);
      chromiumSide = BrowserCallTest.snapshot(chromium);
      firefoxSide = firefoxSnapshot();
    }
    String chromiumProblem = chromiumSide.problem(FIREFOX_NAME);
    String firefoxProblem = firefoxSide.problem(CHROMIUM_NAME);
    if (chromiumProblem != null || firefoxProblem != null) {
      fail("The pages did not get into a call with each other within " + CALL_DEADLINE.toSeconds() + " s.\n"
        + "Chromium page: " + (chromiumProblem == null ? "ok" : chromiumProblem) + "\n"
        + "Firefox page: " + (firefoxProblem == null ? "ok" : firefoxProblem) + "\n"
        + diagnostics(chromiumSide, firefoxSide));
    }
  }

  private static Snapshot poll(Supplier<Snapshot> page, Predicate<Snapshot> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Snapshot snapshot = page.get();
    while (!done.test(snapshot) && System.nanoTime() < deadline) {
      sleep(POLL_INTERVAL);
      snapshot = page.get();
    }
    return snapshot;
  }

  /** Both browsers' state for a failure message; a snapshot may be null (not taken), a browser not started yet. */
  private String diagnostics(Snapshot chromiumSide, Snapshot firefoxSide) {
    StringBuilder text = new StringBuilder();
    if (chromium != null) {
      text.append(BrowserCallTest.diagnostics(chromium, chromiumUrl,
        chromiumSide == null ? BrowserCallTest.snapshot(chromium) : chromiumSide));
    }
    if (firefox != null) {
      text.append("---- browser ").append(firefox.name()).append(" (Firefox, ").append(firefox.status())
        .append(") at ").append(firefoxUrl).append('\n');
      if (firefoxSide != null) {
        text.append("latest snapshot: ").append(firefoxSide.json().encodePrettily()).append('\n');
      }
      text.append("output (stdout and stderr, with the page's console):\n").append(firefox.logTail());
    }
    return text.toString();
  }

  /** The demo page joining {@code room} as {@code name} at once. */
  private String pageUrl(String room, String name) {
    return "http://127.0.0.1:" + node.port() + "/?room=" + encode(room) + "&name=" + encode(name) + "&autojoin=1";
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the call", e);
    }
  }
}
