package io.switchboard.browser;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One headless Firefox (Debian's {@code firefox-esr}) showing one page, started as a plain process: there is no
 * geckodriver here. Its own remote agent listens for WebDriver BiDi on a loopback port it picks itself, so a test
 * can evaluate scripts in the page through {@link #bidi()}.
 *
 * <p>Each instance gets a fresh directory holding the profile (a {@code user.js} with {@link #PREFS}), a private
 * {@code HOME} and the browser's output, all deleted by {@link #close()}, which also ends the browser and every
 * process it started.
 *
 * <p>The machine's network is closed: {@link #PREFS} switch off every background service that would reach for the
 * internet, and a trap proxy on a closed loopback port catches any HTTP(S) request that is left over, so even a
 * service missed here never resolves a name or leaves the machine.
 */
final class HeadlessFirefox implements AutoCloseable {

  static final Path BINARY = Path.of("/usr/bin/firefox-esr");

  /** Where any non-loopback HTTP(S) request goes: port 9 (discard) on loopback, where nothing listens. */
  private static final int TRAP_PROXY_PORT = 9;

  /** Where the remote agent writes the BiDi port it picked, in the profile directory. */
  private static final String BIDI_SERVER_FILE = "WebDriverBiDiServer.json";
  private static final Duration BIDI_START_DEADLINE = Duration.ofSeconds(60);

  private static final Duration GRACEFUL_EXIT = Duration.ofSeconds(3);
  private static final Duration FORCED_EXIT = Duration.ofSeconds(5);
  private static final int LOG_TAIL_LINES = 80;

  /**
   * The profile's preferences. Names are from Firefox's own automation profile (RecommendedPreferences.sys.mjs in
   * omni.ja) plus the WebRTC ones; each group says why it is here.
   */
  static final Map<String, Object> PREFS = prefs();

  private final String name;
  private final Path root;
  private final Path log;
  private final Process process;
  private final Thread shutdownHook;

  private HeadlessFirefox(String name, Path root, Path log, Process process, Thread shutdownHook) {
    this.name = name;
    this.root = root;
    this.log = log;
    this.process = process;
    this.shutdownHook = shutdownHook;
  }

  private static Map<String, Object> prefs() {
    Map<String, Object> prefs = new LinkedHashMap<>();
    fakeMedia(prefs);
    loopbackIce(prefs);
    quietFirstRun(prefs);
    noUpdates(prefs);
    noRemoteSettings(prefs);
    noSafeBrowsingLists(prefs);
    noTelemetry(prefs);
    noNetworkProbes(prefs);
    noBackgroundFetches(prefs);
    trapProxy(prefs);
    consoleToStdout(prefs);
    return prefs;
  }

  private static void fakeMedia(Map<String, Object> prefs) {
    // Media without devices or prompts: a fake camera and microphone, playback allowed before a user gesture.
    prefs.put("media.navigator.streams.fake", true);
    prefs.put("media.navigator.permission.disabled", true);
    prefs.put("media.autoplay.default", 0);
    prefs.put("media.autoplay.blocking_policy", 0);
  }

  private static void loopbackIce(Map<String, Object> prefs) {
    // ICE on loopback. Firefox gathers 127.0.0.1 only with ice.loopback, shows real host addresses (not mDNS
    // names) only with obfuscate_host_addresses off, and - because a fake stream does not count as capturing -
    // gathers anything but the default route's address (ICE log: "use only default local addresses: yes") only
    // when the page's origin holds a persistent camera or microphone permission, which start() grants through
    // permissions.manager.defaultsUrl. Firefox still gathers its other interfaces' addresses too: these are this
    // machine's own, and ice.force_interface cannot narrow it down (Firefox 153 applies it only when it is empty,
    // NrIceCtx::InitializeGlobals).
    prefs.put("media.peerconnection.ice.loopback", true);
    prefs.put("media.peerconnection.ice.obfuscate_host_addresses", false);
    prefs.put("media.peerconnection.ice.default_address_only", false);
  }

  private static void quietFirstRun(Map<String, Object> prefs) {
    // First run: no welcome, privacy, what's-new or default-browser pages or prompts.
    prefs.put("browser.shell.checkDefaultBrowser", false);
    prefs.put("browser.startup.homepage_override.mstone", "ignore");
    prefs.put("startup.homepage_welcome_url", "about:blank");
    prefs.put("startup.homepage_welcome_url.additional", "");
    prefs.put("browser.aboutwelcome.enabled", false);
    prefs.put("datareporting.policy.firstRunURL", "");
    prefs.put("datareporting.policy.dataSubmissionPolicyBypassNotification", true);
    prefs.put("termsofuse.bypassNotification", true);
    prefs.put("browser.uitour.enabled", false);
    prefs.put("browser.sessionstore.resume_from_crash", false);
    prefs.put("toolkit.startup.max_resumed_crashes", -1);
  }

  private static void noUpdates(Map<String, Object> prefs) {
    // Updates of the browser, add-ons, plugins (GMP: OpenH264, Widevine) and search engines.
    prefs.put("app.update.enabled", false);
    prefs.put("app.update.auto", false);
    prefs.put("app.update.disabledForTesting", true);
    prefs.put("app.update.checkInstallTime", false);
    prefs.put("app.update.background.scheduling.enabled", false);
    prefs.put("extensions.update.enabled", false);
    prefs.put("extensions.update.autoUpdateDefault", false);
    prefs.put("extensions.systemAddon.update.enabled", false);
    prefs.put("extensions.getAddons.cache.enabled", false);
    prefs.put("extensions.getAddons.showPane", false);
    prefs.put("extensions.htmlaboutaddons.recommendations.enabled", false);
    prefs.put("extensions.blocklist.enabled", false);
    prefs.put("media.gmp-manager.updateEnabled", false);
    prefs.put("media.gmp-manager.url", "");
    prefs.put("media.gmp-provider.enabled", false);
    prefs.put("media.gmp-gmpopenh264.enabled", false);
    prefs.put("media.gmp-widevinecdm.enabled", false);
    prefs.put("media.eme.enabled", false);
    prefs.put("browser.search.update", false);
    prefs.put("browser.search.suggest.enabled", false);
    prefs.put("browser.urlbar.suggest.searches", false);
  }

  private static void noRemoteSettings(Map<String, Object> prefs) {
    // Remote settings, experiments and studies. Release builds honour services.settings.server only with
    // MOZ_REMOTE_SETTINGS_DEVTOOLS=1 in the environment (set by start()); without it they ask
    // firefox.settings.services.mozilla.com whatever the pref says.
    prefs.put("services.settings.server", "data:,#remote-settings-dummy/v1");
    prefs.put("services.settings.loglevel", "off");
    prefs.put("messaging-system.rsexperimentloader.enabled", false);
    prefs.put("nimbus.rollouts.enabled", false);
    prefs.put("app.normandy.enabled", false);
    prefs.put("app.normandy.api_url", "");
    prefs.put("app.shield.optoutstudies.enabled", false);
    prefs.put("security.remote_settings.intermediates.enabled", false);
    prefs.put("security.remote_settings.crlite_filters.enabled", false);
    prefs.put("security.certerrors.mitm.priming.enabled", false);
  }

  private static void noSafeBrowsingLists(Map<String, Object> prefs) {
    // Safe browsing and tracking-protection list downloads.
    prefs.put("browser.safebrowsing.malware.enabled", false);
    prefs.put("browser.safebrowsing.phishing.enabled", false);
    prefs.put("browser.safebrowsing.downloads.enabled", false);
    prefs.put("browser.safebrowsing.downloads.remote.enabled", false);
    prefs.put("browser.safebrowsing.blockedURIs.enabled", false);
    prefs.put("browser.safebrowsing.provider.google4.updateURL", "");
    prefs.put("browser.safebrowsing.provider.google5.updateURL", "");
    prefs.put("browser.safebrowsing.provider.mozilla.updateURL", "");
    prefs.put("privacy.trackingprotection.enabled", false);
    prefs.put("privacy.trackingprotection.pbmode.enabled", false);
  }

  private static void noTelemetry(Map<String, Object> prefs) {
    // Telemetry, health report, crash reports, pings.
    prefs.put("datareporting.healthreport.uploadEnabled", false);
    prefs.put("datareporting.policy.dataSubmissionEnabled", false);
    prefs.put("datareporting.usage.uploadEnabled", false);
    prefs.put("toolkit.telemetry.enabled", false);
    prefs.put("toolkit.telemetry.unified", false);
    prefs.put("toolkit.telemetry.archive.enabled", false);
    prefs.put("toolkit.telemetry.server", "");
    prefs.put("toolkit.telemetry.newProfilePing.enabled", false);
    prefs.put("toolkit.telemetry.shutdownPingSender.enabled", false);
    prefs.put("toolkit.telemetry.firstShutdownPing.enabled", false);
    prefs.put("toolkit.telemetry.updatePing.enabled", false);
    prefs.put("toolkit.telemetry.bhrPing.enabled", false);
    prefs.put("toolkit.coverage.opt-out", true);
    prefs.put("toolkit.coverage.endpoint.base", "");
    prefs.put("telemetry.fog.test.localhost_port", -1);
    prefs.put("browser.ping-centre.telemetry", false);
    prefs.put("browser.tabs.crashReporting.sendReport", false);
    prefs.put("browser.crashReports.unsubmittedCheck.autoSubmit2", false);
  }

  private static void noNetworkProbes(Map<String, Object> prefs) {
    // Network probes and guesses: captive portal, connectivity, DNS over HTTPS, prefetch, speculative connects.
    prefs.put("network.captive-portal-service.enabled", false);
    prefs.put("captivedetect.canonicalURL", "");
    prefs.put("network.connectivity-service.enabled", false);
    prefs.put("network.trr.mode", 5);
    prefs.put("doh-rollout.disable-heuristics", true);
    prefs.put("network.dns.disablePrefetch", true);
    prefs.put("network.dns.disablePrefetchFromHTTPS", true);
    prefs.put("network.prefetch-next", false);
    prefs.put("network.predictor.enabled", false);
    prefs.put("network.http.speculative-parallel-limit", 0);
    prefs.put("browser.urlbar.speculativeConnect.enabled", false);
    prefs.put("browser.places.speculativeConnect.enabled", false);
  }

  private static void noBackgroundFetches(Map<String, Object> prefs) {
    // Everything else that fetches on its own: new-tab content, location, push, accounts, translations, ML models.
    prefs.put("browser.newtabpage.enabled", false);
    prefs.put("browser.newtab.preload", false);
    prefs.put("browser.newtabpage.activity-stream.testing.shouldInitializeFeeds", false);
    prefs.put("browser.newtabpage.activity-stream.showSponsoredTopSites", false);
    prefs.put("browser.newtabpage.activity-stream.feeds.telemetry", false);
    prefs.put("browser.newtabpage.activity-stream.telemetry", false);
    prefs.put("browser.topsites.contile.enabled", false);
    prefs.put("browser.discovery.enabled", false);
    prefs.put("browser.region.update.enabled", false);
    prefs.put("browser.region.network.url", "");
    prefs.put("geo.enabled", false);
    prefs.put("geo.provider.network.url", "");
    prefs.put("dom.push.connection.enabled", false);
    prefs.put("dom.push.serverURL", "");
    prefs.put("identity.fxaccounts.enabled", false);
    prefs.put("browser.translations.enable", false);
    prefs.put("browser.ml.enable", false);
    prefs.put("places.semanticHistory.featureGate", false);
    prefs.put("browser.backup.enabled", false);
  }

  private static void trapProxy(Map<String, Object> prefs) {
    // The trap: any HTTP(S) request to anything but localhost goes to a closed loopback port (localhost itself is
    // never proxied, network.proxy.allow_hijacking_localhost stays false), so it fails without a DNS lookup.
    prefs.put("network.proxy.type", 1);
    prefs.put("network.proxy.http", "127.0.0.1");
    prefs.put("network.proxy.http_port", TRAP_PROXY_PORT);
    prefs.put("network.proxy.ssl", "127.0.0.1");
    prefs.put("network.proxy.ssl_port", TRAP_PROXY_PORT);
    prefs.put("network.proxy.share_proxy_settings", false);
    prefs.put("network.proxy.no_proxies_on", "");
    prefs.put("network.proxy.allow_hijacking_localhost", false);
  }

  private static void consoleToStdout(Map<String, Object> prefs) {
    // Diagnostics: the page's console goes to stdout, hence into the log a failing test shows.
    prefs.put("devtools.console.stdout.content", true);
    prefs.put("browser.dom.window.dump.enabled", true);
  }

  /**
   * Fails the calling test when Firefox is missing: the cross-browser test is never skipped, on CI or anywhere
   * else.
   */
  static void requireInstalled() {
    if (Files.isExecutable(BINARY)) {
      return;
    }
    String where = "true".equals(System.getenv("CI"))
      ? "CI=true: the CI image must provide it"
      : "the cross-browser test is not optional";
    fail("The Firefox interop test needs Firefox, missing: " + BINARY
      + ". Install it with: apt-get install firefox-esr (" + where + ").");
  }

  /**
   * Starts a browser on {@code url}, with a persistent camera and microphone permission for the URL's origin
   * (without it Firefox gathers no loopback ICE candidates, see {@link #PREFS}).
   *
   * @param name labels the browser's directory and its diagnostics
   */
  static HeadlessFirefox start(String name, String url) {
    requireInstalled();
    Path root;
    try {
      root = Files.createTempDirectory("switchboard-firefox-" + name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a Firefox directory", e);
    }
    Path log = root.resolve("firefox.log");
    Process process = null;
    try {
      Path profile = Files.createDirectory(root.resolve("profile"));
      Path home = Files.createDirectory(root.resolve("home"));
      Path permissions = profile.resolve("switchboard-permissions.txt");
      Files.writeString(permissions, permissionsFile(origin(url)), StandardCharsets.UTF_8);
      Map<String, Object> prefs = new LinkedHashMap<>(PREFS);
      prefs.put("permissions.manager.defaultsUrl", permissions.toUri().toString());
      Files.writeString(profile.resolve("user.js"), userJs(prefs), StandardCharsets.UTF_8);

      ProcessBuilder builder = new ProcessBuilder(
        BINARY.toString(), "--headless", "--no-remote", "--profile", profile.toString(),
        // port 0: the agent picks a free port (on 127.0.0.1) and writes it into BIDI_SERVER_FILE
        "--remote-debugging-port", "0", url)
        .directory(root.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
      Map<String, String> env = builder.environment();
      env.keySet().removeIf(key -> key.equals("DISPLAY") || key.equals("WAYLAND_DISPLAY"));
      env.put("HOME", home.toString());
      env.put("TMPDIR", root.toString());
      env.put("MOZ_HEADLESS", "1");
      env.put("MOZ_CRASHREPORTER_DISABLE", "1");
      env.put("MOZ_REMOTE_SETTINGS_DEVTOOLS", "1");
      process = builder.start();

      Process started = process;
      Thread hook = new Thread(() -> terminate(started), "kill firefox " + name);
      Runtime.getRuntime().addShutdownHook(hook);
      return new HeadlessFirefox(name, root, log, process, hook);
    } catch (IOException | RuntimeException e) {
      if (process != null) {
        terminate(process);
      }
      BrowserResources.deleteRecursively(root);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot start " + BINARY, io);
      }
      throw (RuntimeException) e;
    }
  }

  private static String origin(String url) {
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  /** Firefox's default-permissions format: type, permission, capability (1 = allow), origin; tab-separated. */
  private static String permissionsFile(String origin) {
    return "origin\tcamera\t1\t" + origin + "\n"
      + "origin\tmicrophone\t1\t" + origin + "\n";
  }

  private static String userJs(Map<String, Object> prefs) {
    StringBuilder js = new StringBuilder("// written by HeadlessFirefox for one test run\n");
    prefs.forEach((key, value) -> js.append("user_pref(").append(jsString(key)).append(", ")
      .append(value instanceof String text ? jsString(text) : String.valueOf(value)).append(");\n"));
    return js.toString();
  }

  private static String jsString(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  String name() {
    return name;
  }

  boolean isRunning() {
    return process.isAlive();
  }

  /** "running (pid N)", or how the browser ended. */
  String status() {
    return process.isAlive() ? "running (pid " + process.pid() + ")" : "exited with " + process.exitValue();
  }

  /**
   * Opens a WebDriver BiDi session with the browser, waiting for its remote agent to listen; the caller closes it
   * before the browser.
   */
  FirefoxBidi bidi() {
    Path serverFile = root.resolve("profile").resolve(BIDI_SERVER_FILE);
    long deadline = System.nanoTime() + BIDI_START_DEADLINE.toNanos();
    JsonObject server = readBidiServer(serverFile);
    while (server == null) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        fail("Firefox's remote agent did not start listening within " + BIDI_START_DEADLINE.toSeconds() + " s ("
          + status() + "); output:\n" + logTail());
      }
      waitFor(process, Duration.ofMillis(100));
      server = readBidiServer(serverFile);
    }
    return FirefoxBidi.connect(URI.create("ws://" + server.getString("ws_host") + ":" + server.getInteger("ws_port")
      + "/session"));
  }

  /** The agent's {@code {ws_host, ws_port}}; null while the file is not there or not completely written. */
  private static JsonObject readBidiServer(Path serverFile) {
    try {
      JsonObject server = new JsonObject(Files.readString(serverFile, StandardCharsets.UTF_8));
      return server.getInteger("ws_port") == null ? null : server;
    } catch (IOException | DecodeException notYet) {
      return null;
    }
  }

  /** The last lines Firefox wrote to stdout and stderr (including the page's console). */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
      return (lines.size() > tail.size() ? "  (" + (lines.size() - tail.size()) + " earlier lines left out)\n" : "")
        + (tail.isEmpty() ? "  (empty)\n" : "  " + String.join("\n  ", tail) + "\n");
    } catch (IOException | UncheckedIOException e) {
      return "  (log unavailable: " + e + ")\n";
    }
  }

  /** Ends the browser and all its processes, then deletes its directory; each step even if the one before fails. */
  @Override
  public void close() {
    try {
      terminate(process);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to: it only repeats terminate()
      } finally {
        BrowserResources.deleteRecursively(root);
      }
    }
  }

  /**
   * SIGTERM to the browser, SIGKILL to whatever of it is left after {@link #GRACEFUL_EXIT}. Its processes are
   * collected while it still runs: once it is gone, its orphans are nobody's descendants any more.
   */
  private static void terminate(Process process) {
    Set<ProcessHandle> family = new LinkedHashSet<>();
    process.descendants().forEach(family::add);
    process.destroy();
    long deadline = System.nanoTime() + GRACEFUL_EXIT.toNanos();
    while (process.isAlive() && System.nanoTime() < deadline) {
      process.descendants().forEach(family::add);
      waitFor(process, Duration.ofMillis(100));
    }
    process.descendants().forEach(family::add);
    List<ProcessHandle> all = new ArrayList<>(family);
    all.add(process.toHandle());
    all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    long forcedDeadline = System.nanoTime() + FORCED_EXIT.toNanos();
    for (ProcessHandle handle : all) {
      long left = forcedDeadline - System.nanoTime();
      try {
        handle.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
      } catch (Exception stillAlive) {
        // reported below
      }
    }
    List<Long> survivors = all.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
    if (!survivors.isEmpty()) {
      throw new IllegalStateException("Firefox processes survived SIGKILL: " + survivors);
    }
  }

  private static void waitFor(Process process, Duration duration) {
    try {
      process.waitFor(duration.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
