package io.switchboard.browser;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One {@code SwitchboardClient} of the bundled SDK ({@code webroot/switchboard.js}) in a Chromium page, watched from
 * inside the page: every WebSocket the page opens, every {@code close} and {@code state} event of the client and
 * every call of its reconnect hook is recorded with the page's own clock ({@code performance.now()}), so that what
 * the SDK did, and when, does not depend on how quickly Selenium polls.
 *
 * <p>Records are {@code {kind, t, ...}}: {@code socket} {@code {url}} (query left out), {@code hook}
 * {@code {attempt}}, {@code close} {@code {code, willReconnect}}, {@code state} {@code {state}}, and {@code quiet}
 * {@code {code}}, written {@link #QUIET_MILLIS} after each close by a timer the page sets when the close arrives.
 */
final class SdkPage {

  /**
   * How long after a close its {@code quiet} record is written: longer than the SDK waits before its first and its
   * second reconnect attempt (at most 0.5 s and 1 s, webroot/README.md). The SDK's timer for a next attempt is set
   * after that close too, with an earlier deadline, so it fires first whatever the machine's speed: by the
   * {@code quiet} record, a reconnect the SDK was going to make has called the hook and opened its socket.
   */
  static final long QUIET_MILLIS = 2_000;

  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

  /**
   * Arguments: WebSocket URLs, token, the attempt at which the hook gives up (returns null), quiet millis. Imports
   * the SDK from the page's origin, wraps {@code WebSocket} to record every socket, connects; answers
   * {@code {id}} from the welcome or {@code {error}}.
   */
  private static final String CONNECT_SCRIPT = """
    const [urls, token, giveUpAtAttempt, quietMillis] = arguments;
    const done = arguments[arguments.length - 1];
    const records = window.sdkRecords = [];
    const record = (kind, detail) => records.push({kind, t: performance.now(), ...detail});
    const PageWebSocket = window.WebSocket;
    window.WebSocket = class extends PageWebSocket {
      constructor(url, protocols) {
        super(url, protocols);
        record('socket', {url: String(url).split('?')[0]});
      }
    };
    import('/switchboard.js').then(({SwitchboardClient}) => {
      const client = window.sdkClient = new SwitchboardClient({
        token,
        urls,
        reconnect: async (attempt) => {
          record('hook', {attempt});
          return attempt >= giveUpAtAttempt ? null : {token};
        },
      });
      client.on('state', ({state}) => record('state', {state}));
      client.on('close', ({code, willReconnect}) => {
        record('close', {code, willReconnect});
        setTimeout(() => record('quiet', {code}), quietMillis);
      });
      return client.connect();
    }).then((welcome) => done({id: welcome.id}), (error) => done({error: String(error)}));
    """;

  private final Chromium browser;

  private SdkPage(Chromium browser) {
    this.browser = browser;
  }

  /**
   * Loads the demo page of the node on {@code httpPort} (not joining anything: the page's origin only serves the
   * SDK module) in {@code browser}.
   */
  static SdkPage open(Chromium browser, int httpPort) {
    browser.driver().manage().timeouts().scriptTimeout(SCRIPT_TIMEOUT);
    browser.driver().get("http://127.0.0.1:" + httpPort + "/");
    return new SdkPage(browser);
  }

  /** The WebSocket URL of a node (or proxy) on {@code port}. */
  static String socketUrl(int port) {
    return "ws://127.0.0.1:" + port + "/ws";
  }

  /**
   * Connects a client to {@code urls} (tried in order) with {@code token}; its reconnect hook answers the same token
   * up to attempt {@code giveUpAtAttempt}, where it gives up.
   *
   * @return the session id of the welcome
   */
  String connect(List<String> urls, String token, int giveUpAtAttempt) {
    Object result = browser.driver().executeAsyncScript(CONNECT_SCRIPT, urls, token, giveUpAtAttempt, QUIET_MILLIS);
    if (!(result instanceof Map<?, ?> answer) || answer.get("id") == null) {
      fail("the SDK did not connect: " + result + "\n" + consoleLog());
    }
    return String.valueOf(((Map<?, ?>) result).get("id"));
  }

  /** Makes the page's {@code Math.random()} always answer {@code value}: the SDK's jitter becomes predictable. */
  void fixRandom(double value) {
    browser.driver().executeScript("const value = arguments[0]; Math.random = () => value;", value);
  }

  /** Everything recorded so far, in order. */
  @SuppressWarnings("unchecked")
  List<JsonObject> records() {
    Object result = browser.driver().executeScript("return window.sdkRecords ?? [];");
    return ((List<Map<String, Object>>) result).stream().map(JsonObject::new).toList();
  }

  /** Polls until a record matches {@code wanted}; fails with every record after {@code deadline}. */
  JsonObject awaitRecord(String what, Predicate<JsonObject> wanted, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      List<JsonObject> records = records();
      for (JsonObject record : records) {
        if (wanted.test(record)) {
          return record;
        }
      }
      if (System.nanoTime() > end) {
        fail("no " + what + " within " + deadline.toSeconds() + " s; the page recorded:\n" + describe(records)
          + consoleLog());
      }
      try {
        Thread.sleep(POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while polling the page", e);
      }
    }
  }

  /** The client's state as the SDK reports it. */
  String clientState() {
    return String.valueOf(browser.driver().executeScript("return window.sdkClient?.state ?? null;"));
  }

  /** One record a line, for failure messages. */
  static String describe(List<JsonObject> records) {
    StringBuilder text = new StringBuilder();
    records.forEach(record -> text.append("  ").append(record.encode()).append('\n'));
    return text.length() == 0 ? "  (nothing)\n" : text.toString();
  }

  private String consoleLog() {
    return "console of " + browser.name() + ":\n  " + String.join("\n  ", browser.consoleLog()) + "\n";
  }
}
