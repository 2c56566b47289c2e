package io.switchboard.tls;

import io.switchboard.testing.LogCapture;
import io.switchboard.testing.TestCertificates;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watcher on real files and a real Vert.x, polling every {@value #POLL_MILLIS} ms. "Nothing happened" is
 * checked after several polls have run ({@link #QUIET_MILLIS}); a poll that ran is visible in the log or in the
 * subscriber's queue.
 */
@DisplayName("PemFileWatcher: renewed pairs are handed on, broken ones kept back and reported once")
class PemFileWatcherTest {

  private static final long POLL_MILLIS = 100;
  /** Long enough for several polls, even on a busy machine. */
  private static final long QUIET_MILLIS = 1500;
  private static final long DEADLINE_MILLIS = 10_000;
  private static final TestCertificates CA = TestCertificates.newAuthority("watcher");

  @TempDir
  Path dir;
  private Vertx vertx;
  private PemFileWatcher watcher;
  private LogCapture logs;
  private final BlockingQueue<PemMaterial> handedOn = new LinkedBlockingQueue<>();
  private Path cert;
  private Path key;

  @BeforeEach
  void start() throws IOException {
    vertx = Vertx.vertx();
    logs = LogCapture.install();
    cert = dir.resolve("tls.crt");
    key = dir.resolve("tls.key");
    TestCertificates.Member first = CA.member("first");
    Files.copy(first.cert(), cert);
    Files.copy(first.key(), key);
    PemMaterial initial = PemMaterial.read("test.tls", cert.toString(), key.toString(), Clock.systemUTC().instant());
    watcher = new PemFileWatcher(vertx, "test.tls", initial, Clock.systemUTC());
    watcher.subscribe(handedOn::add);
    watcher.start(Duration.ofMillis(POLL_MILLIS));
  }

  @AfterEach
  void stop() {
    watcher.stop();
    logs.close();
    vertx.close().await();
  }

  @Test
  @DisplayName("a renewed pair is handed to subscribers once, and becomes current")
  void renewalDetected() throws Exception {
    TestCertificates.Member next = CA.member("second");
    String before = watcher.current().fingerprint();

    replace(cert, next.cert());
    replace(key, next.key());

    PemMaterial renewed = handedOn.poll(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
    assertNotNull(renewed, "no renewal within " + DEADLINE_MILLIS + " ms");
    assertEquals("CN=second", renewed.leaf().getSubjectX500Principal().getName());
    assertTrue(!renewed.fingerprint().equals(before));
    assertEquals(renewed.fingerprint(), watcher.current().fingerprint());
    assertNull(handedOn.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS), "the same files are handed on once");
    assertEquals(1, lines("reloaded").size(), logs.lines().toString());
  }

  @Test
  @DisplayName("a certificate written before its key keeps the old pair, warns once, and the key then completes it")
  void halfWrittenPair() throws Exception {
    TestCertificates.Member next = CA.member("third");
    PemMaterial old = watcher.current();

    replace(cert, next.cert());
    awaitLine("cannot be served");
    assertNull(handedOn.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS), "a pair that does not match is not handed on");
    assertEquals(old.fingerprint(), watcher.current().fingerprint(), "the old pair stays current");
    List<String> warnings = lines("cannot be served");
    assertEquals(1, warnings.size(), "warned once over many polls: " + warnings);
    assertTrue(warnings.get(0).contains("WARNING") && warnings.get(0).contains("is not the private key"),
      warnings.get(0));

    replace(key, next.key());
    PemMaterial completed = handedOn.poll(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
    assertNotNull(completed, "the completed pair is handed on");
    assertEquals("CN=third", completed.leaf().getSubjectX500Principal().getName());
    assertEquals(completed.fingerprint(), watcher.current().fingerprint());
  }

  @Test
  @DisplayName("a file that disappears for a while is reported once and changes nothing")
  void missingFile() throws Exception {
    Path aside = dir.resolve("aside");
    Files.move(key, aside);
    awaitLine("still serving");
    assertNull(handedOn.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS));
    assertEquals(1, lines("still serving").size(), "reported once: " + logs.lines());

    Files.move(aside, key);
    assertNull(handedOn.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS), "the same pair back is no renewal");
    assertTrue(logs.lines().stream().noneMatch(line -> line.contains("PRIVATE KEY")), "no key material in logs");
  }

  @Test
  @DisplayName("an unsubscribed listener is not called; a stopped watcher reads nothing more")
  void unsubscribeAndStop() throws Exception {
    BlockingQueue<PemMaterial> other = new LinkedBlockingQueue<>();
    Runnable unsubscribe = watcher.subscribe(other::add);
    unsubscribe.run();
    TestCertificates.Member next = CA.member("fourth");

    replace(cert, next.cert());
    replace(key, next.key());
    assertNotNull(handedOn.poll(DEADLINE_MILLIS, TimeUnit.MILLISECONDS));
    assertNull(other.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS), "unsubscribed");

    watcher.stop();
    Thread.sleep(POLL_MILLIS * 3); // a poll already under way finishes
    handedOn.clear();
    replace(cert, CA.member("first").cert());
    replace(key, CA.member("first").key());
    assertNull(handedOn.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS), "stopped");
  }

  private List<String> lines(String text) {
    return logs.lines().stream().filter(line -> line.contains("test.tls") && line.contains(text)).toList();
  }

  private void awaitLine(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
    while (lines(text).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "no log line with '" + text + "': " + logs.lines());
      Thread.sleep(50);
    }
  }

  /** Written completely, then renamed over the old file, as renewal tools do. */
  private static void replace(Path target, Path source) throws IOException {
    Path temporary = target.resolveSibling(target.getFileName() + ".new");
    Files.copy(source, temporary, StandardCopyOption.REPLACE_EXISTING);
    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
