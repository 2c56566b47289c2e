package io.switchboard.browser;

import io.switchboard.browser.BrowserCallTest.Snapshot;
import io.switchboard.testing.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The demo page in Firefox and in Chromium, in one call: the page has to work in both engines, and they have to
 * agree with each other (SDP, ICE, codecs).
 *
 * <p>Firefox runs as a plain headless process ({@link HeadlessFirefox}; there is no geckodriver here), so the call is
 * observed from the Chromium side: Chromium's page must be connected to exactly one peer, the Firefox page's
 * participant, and decode the video Firefox sends (Firefox's fake camera).
 */
@DisplayName("A call between Firefox and Chromium")
class FirefoxInteropTest {

  private static final Duration CALL_DEADLINE = Duration.ofSeconds(30);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

  private static final String FIREFOX_NAME = "firefox";
  private static final String CHROMIUM_NAME = "chromium";

  private TestNode node;
  private HeadlessFirefox firefox;
  private Chromium chromium;

  @BeforeEach
  void requireBrowsers() {
    HeadlessFirefox.requireInstalled();
    Chromium.requireInstalled();
  }

  @AfterEach
  void tearDown() throws Exception {
    List<AutoCloseable> resources = Arrays.asList(firefox, chromium, node);
    firefox = null;
    chromium = null;
    node = null;
    BrowserResources.closeAll(resources);
  }

  @Test
  @DisplayName("a Chromium page connects to a Firefox page in the same room and decodes its video")
  void chromiumDecodesFirefoxVideo() {
    node = TestNode.start(TestNode.development());
    String room = TestNode.unique("interop");
    String firefoxUrl = pageUrl(room, FIREFOX_NAME);
    String chromiumUrl = pageUrl(room, CHROMIUM_NAME);

    firefox = HeadlessFirefox.start(FIREFOX_NAME, firefoxUrl);
    chromium = Chromium.start(CHROMIUM_NAME);
    chromium.driver().get(chromiumUrl);

    // Only the Chromium side can be asked; a Firefox that has exited will not join any more, so stop waiting.
    long deadline = System.nanoTime() + CALL_DEADLINE.toNanos();
    Snapshot snapshot = BrowserCallTest.snapshot(chromium);
    while (snapshot.problem(FIREFOX_NAME) != null && System.nanoTime() < deadline && firefox.isRunning()) {
      sleep(POLL_INTERVAL);
      snapshot = BrowserCallTest.snapshot(chromium);
    }

    String problem = snapshot.problem(FIREFOX_NAME);
    if (problem != null) {
      fail("The Chromium page did not get into a call with the Firefox page within " + CALL_DEADLINE.toSeconds()
        + " s: " + problem + "\n"
        + BrowserCallTest.diagnostics(chromium, chromiumUrl, snapshot)
        + "---- browser " + firefox.name() + " (Firefox, " + firefox.status() + ") at " + firefoxUrl + "\n"
        + "output (stdout and stderr, with the page's console):\n" + firefox.logTail());
    }
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
