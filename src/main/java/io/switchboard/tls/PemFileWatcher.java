package io.switchboard.tls;

import io.switchboard.config.ConfigException;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Watches one certificate and key pair for renewal (cert-manager, ACME clients and operators replace the files in
 * place or swap a symlink): every interval it reads both files off the event loop and, when their bytes changed
 * and the new pair passes {@link PemMaterial}'s checks, hands it to every subscriber. A pair that fails them (the
 * certificate written before its key, say) is reported once and the previous pair stays in service; the next change
 * is tried again. Open connections keep the certificate they were made with; only new handshakes see the new one.
 */
public final class PemFileWatcher {

  private static final System.Logger LOG = System.getLogger(PemFileWatcher.class.getName());

  private final Vertx vertx;
  private final String name;
  private final Clock clock;
  private final List<Consumer<PemMaterial>> subscribers = new CopyOnWriteArrayList<>();
  private volatile PemMaterial current;
  // touched on the timer's context only
  private byte[] seenCert;
  private byte[] seenKey;
  /** The last read failure reported, so a file missing for many polls is reported once. */
  private String readFailure;
  private boolean reading;
  private long timer = -1;

  /**
   * @param name    the pair's configuration key, for logs ({@code http.tls})
   * @param initial the pair read at start (its bytes are the baseline)
   */
  public PemFileWatcher(Vertx vertx, String name, PemMaterial initial, Clock clock) {
    this.vertx = vertx;
    this.name = name;
    this.clock = clock;
    this.current = initial;
    this.seenCert = initial.certPem();
    this.seenKey = initial.keyPem();
  }

  /** The pair in service now. */
  public PemMaterial current() {
    return current;
  }

  /**
   * Called with each new pair, on the watcher's timer context; a subscriber hops to its own context itself.
   *
   * @return undoes the subscription (an undeployed verticle must not be called any more)
   */
  public Runnable subscribe(Consumer<PemMaterial> subscriber) {
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }

  /** Starts polling every {@code interval}; a zero or negative interval watches nothing. */
  public PemFileWatcher start(Duration interval) {
    if (!interval.isNegative() && !interval.isZero()) {
      timer = vertx.setPeriodic(interval.toMillis(), id -> check());
    }
    return this;
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** One poll: read both files on a worker, then compare and apply back on the timer's context. */
  void check() {
    if (reading) {
      return;
    }
    reading = true;
    PemMaterial now = current;
    vertx.executeBlocking(() -> new byte[][] {
      PemMaterial.readAll(name + ".cert", now.certFile()), PemMaterial.readAll(name + ".key", now.keyFile())})
      .onComplete(read -> {
        reading = false;
        if (read.failed()) {
          unreadable(now, read.cause().getMessage());
          return;
        }
        readFailure = null;
        changed(now, read.result()[0], read.result()[1]);
      });
  }

  /** A file that cannot be read (being replaced, say): reported once until it can be read again. */
  private void unreadable(PemMaterial now, String why) {
    if (!why.equals(readFailure)) {
      readFailure = why;
      LOG.log(System.Logger.Level.WARNING, "{0}: still serving {1}: {2}", name, now.describe(), why);
    }
  }

  private void changed(PemMaterial now, byte[] cert, byte[] key) {
    if (Arrays.equals(cert, seenCert) && Arrays.equals(key, seenKey)) {
      return;
    }
    seenCert = cert;
    seenKey = key;
    PemMaterial next;
    try {
      next = PemMaterial.parse(name, now.certFile(), now.keyFile(), cert, key, clock.instant());
    } catch (ConfigException e) {
      LOG.log(System.Logger.Level.WARNING, "{0}: the files changed but cannot be served, still serving {1}: {2}",
        name, now.describe(), e.getMessage());
      return;
    }
    current = next;
    LOG.log(System.Logger.Level.INFO, "{0}: reloaded, now serving {1}", name, next.describe());
    for (Consumer<PemMaterial> subscriber : subscribers) {
      subscriber.accept(next);
    }
  }
}
