package io.switchboard.browser;

import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One headless Chromium, driven by Selenium through Debian's chromedriver.
 *
 * <p>Both the driver and the browser binary are given explicitly, so Selenium Manager is never asked to find or
 * download anything (DriverFinder logs "Skipping Selenium Manager, path to chromedriver specified in Service class"
 * at FINE). Each browser gets its own fresh profile directory, deleted by {@link #close()}.
 */
final class Chromium implements AutoCloseable {

  static final File BINARY = new File("/usr/bin/chromium");
  static final File DRIVER = new File("/usr/bin/chromedriver");

  /**
   * STYLE.md section 3. The background-networking switches keep it off the closed network; even with them it still
   * looks up Google hosts (sign-in, autofill, optimization hints), so no host name resolves at all: the tests only
   * ever load 127.0.0.1.
   */
  static final List<String> FLAGS = List.of(
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--disable-features=OptimizationHints,OptimizationGuideModelDownloading,AutofillServerCommunication,MediaRouter",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-default-browser-check",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--allow-loopback-in-peer-connection",
    "--disable-dev-shm-usage");

  /**
   * ChromiumDriver looks for a CDP binding matching the browser version on every start and warns when there is none
   * ("Unable to find CDP implementation matching 156"): we use no CDP, and selenium-devtools is not a dependency.
   * Held here so the logger (and its level) is not garbage-collected.
   */
  private static final Logger CDP_VERSION_FINDER = quiet("org.openqa.selenium.devtools.CdpVersionFinder");

  private static final Duration PAGE_LOAD_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(3);

  private final String name;
  private final Path profile;
  private final ChromeDriverService service;
  private final ChromeDriver driver;
  /** chromedriver hands each console entry out once: everything read so far. */
  private final List<String> console = new ArrayList<>();

  private Chromium(String name, Path profile, ChromeDriverService service, ChromeDriver driver) {
    this.name = name;
    this.profile = profile;
    this.service = service;
    this.driver = driver;
  }

  /**
   * Fails the calling test when Chromium or chromedriver is missing: the browser test is never skipped, on CI or
   * anywhere else.
   */
  static void requireInstalled() {
    List<String> missing = new ArrayList<>();
    for (File tool : List.of(BINARY, DRIVER)) {
      if (!tool.canExecute()) {
        missing.add(tool.getPath());
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String where = "true".equals(System.getenv("CI"))
      ? "CI=true: the CI image must provide them"
      : "the browser test is not optional";
    fail("The browser test needs Chromium and chromedriver, missing: " + String.join(", ", missing)
      + ". Install them with: apt-get install chromium chromium-driver (" + where + ").");
  }

  /** Starts a browser on a blank page; {@code name} labels its profile directory and its diagnostics. */
  static Chromium start(String name) {
    return start(name, null, List.of());
  }

  /**
   * A browser that accepts the server certificate in the PEM file {@code leaf} over https and wss, as if a CA it
   * trusts had issued it: Chromium skips certificate errors for that one public key
   * ({@code --ignore-certificate-errors-spki-list}, honoured with a user-data-dir of our own). The certificate
   * must still name the host (127.0.0.1) for the page to be a secure context with camera access.
   */
  static Chromium trusting(String name, Path leaf) {
    return start(name, null, List.of("--ignore-certificate-errors-spki-list=" + spkiHash(leaf)));
  }

  /** base64(SHA-256(SubjectPublicKeyInfo)) of the first certificate in {@code pem}: Chromium's pin format. */
  static String spkiHash(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      Certificate leaf = CertificateFactory.getInstance("X.509").generateCertificate(in);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(leaf.getPublicKey().getEncoded());
      return Base64.getEncoder().encodeToString(digest);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pem, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot hash the public key of " + pem, e);
    }
  }

  /**
   * Starts a browser inside network namespace {@code namespace} (a host of a test rig, see
   * {@code io.switchboard.testing.netns.NetnsRig}) with {@code extraFlags}. chromedriver stays in the test's own
   * namespace and starts Chromium through a wrapper that enters the namespace; it talks to it over a pipe
   * ({@code --remote-debugging-pipe}) instead of its DevTools port, which would listen on the namespace's loopback,
   * out of chromedriver's reach.
   */
  static Chromium startIn(String name, String namespace, List<String> extraFlags) {
    return start(name, namespace, extraFlags);
  }

  private static Chromium start(String name, String namespace, List<String> extraFlags) {
    requireInstalled();
    Path profile;
    try {
      profile = Files.createTempDirectory("switchboard-chromium-" + name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a Chromium profile directory", e);
    }
    ChromeDriverService service = null;
    try {
      ChromeOptions options = options(profile, extraFlags);
      if (namespace != null) {
        options.setBinary(namespaceWrapper(profile, namespace).toFile());
        options.addArguments("--remote-debugging-pipe");
      }
      service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER)
        .usingAnyFreePort()
        .build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(PAGE_LOAD_TIMEOUT);
      driver.manage().timeouts().scriptTimeout(SCRIPT_TIMEOUT);
      return new Chromium(name, profile, service, driver);
    } catch (RuntimeException e) {
      if (service != null) {
        service.stop();
      }
      BrowserResources.deleteRecursively(profile);
      throw e;
    }
  }

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.SEVERE);
    return logger;
  }

  /** An executable in the profile directory that runs Chromium inside {@code namespace}. */
  private static Path namespaceWrapper(Path profile, String namespace) {
    if (!namespace.matches("[A-Za-z0-9-]+")) {
      throw new IllegalArgumentException("namespace name " + namespace);
    }
    Path wrapper = profile.resolve("chromium-in-" + namespace);
    try {
      Files.writeString(wrapper, "#!/bin/sh\nexec ip netns exec " + namespace + " " + BINARY + " \"$@\"\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + wrapper, e);
    }
    if (!wrapper.toFile().setExecutable(true)) {
      throw new IllegalStateException("cannot make " + wrapper + " executable");
    }
    return wrapper;
  }

  private static ChromeOptions options(Path profile, List<String> extraFlags) {
    LoggingPreferences logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY);
    // an extra flag replaces the default of the same switch (Chromium would take the last one; keep it readable)
    List<String> switches = extraFlags.stream().map(flag -> flag.split("=", 2)[0]).toList();
    options.addArguments(FLAGS.stream().filter(flag -> !switches.contains(flag.split("=", 2)[0])).toList());
    options.addArguments(extraFlags);
    options.addArguments("--user-data-dir=" + profile);
    options.setCapability("goog:loggingPrefs", logging);
    return options;
  }

  String name() {
    return name;
  }

  ChromeDriver driver() {
    return driver;
  }

  /** The browser console so far (messages, uncaught errors, failed loads), one line per entry. */
  List<String> consoleLog() {
    try {
      for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
        console.add(Instant.ofEpochMilli(entry.getTimestamp()) + " " + entry.getLevel() + " " + entry.getMessage());
      }
    } catch (WebDriverException e) {
      console.add("(console log unavailable: " + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    return List.copyOf(console);
  }

  /** Quits the browser, stops chromedriver and deletes the profile, each even if an earlier step fails. */
  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try {
        service.stop();
      } finally {
        BrowserResources.deleteRecursively(profile);
      }
    }
  }
}
