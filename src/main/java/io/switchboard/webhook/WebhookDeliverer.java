package io.switchboard.webhook;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.metrics.WebhookMetrics;
import io.switchboard.relay.usage.TurnUsageQuery;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Delivers the batches this node is responsible for: one {@link RoomLine} per room, one batch of a room at a
 * time and its events one after another, each to every receiver, retried with {@link Backoff} until delivered
 * or given up. Rooms deliver side by side. At most {@code webhooks.queueSize} events wait here; more are dropped
 * and counted. Everything runs on one context.
 */
final class WebhookDeliverer {

  private static final System.Logger LOG = System.getLogger(WebhookDeliverer.class.getName());
  /** How long room_finished waits for the room's TURN usage before it is sent without it. */
  static final long USAGE_WAIT_MS = 2000;
  /** Drops and give-ups are logged at most once per this interval, with a count. */
  private static final long LOG_INTERVAL_MS = 60_000;
  /** A room with nothing waiting forgets where delivery got to after this (a later batch waits its window). */
  private static final long IDLE_ROOM_MS = 300_000;
  /** Keys recently finished, remembered so that a copy found again by a scan is not delivered twice. */
  private static final int RECENT_KEYS = 8192;

  private final Vertx vertx;
  private final SwitchboardConfig.Webhooks config;
  private final WebhookSender sender;
  private final TurnUsageQuery usage;
  private final WebhookMetrics metrics;
  private final WebhookOutbox outbox;
  private final LongSupplier clock;
  private final Backoff backoff;
  private final Map<String, RoomLine> lines = new HashMap<>();
  private final Set<String> known = new HashSet<>();
  private final Map<String, Boolean> recent = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > RECENT_KEYS;
    }
  };
  private int depth;
  private boolean stopping;
  private final ThrottledLog droppedLog = new ThrottledLog(LOG_INTERVAL_MS);
  private final ThrottledLog failedLog = new ThrottledLog(LOG_INTERVAL_MS);
  private final ThrottledLog usageLog = new ThrottledLog(LOG_INTERVAL_MS);
  private final long sweepTimer;

  WebhookDeliverer(Vertx vertx, SwitchboardConfig.Webhooks config, WebhookSender sender, TurnUsageQuery usage,
                   WebhookMetrics metrics, WebhookOutbox outbox, LongSupplier clock) {
    this.vertx = vertx;
    this.config = config;
    this.sender = sender;
    this.usage = usage;
    this.metrics = metrics;
    this.outbox = outbox;
    this.clock = clock;
    this.backoff = new Backoff(config.minBackoffMillis(), config.maxBackoffMillis());
    this.sweepTimer = vertx.setPeriodic(IDLE_ROOM_MS, IDLE_ROOM_MS, id -> sweepIdleRooms());
  }

  /** A batch this node is to deliver; a copy of one already here or just finished is ignored. */
  void offer(String key, EventBatch batch) {
    if (stopping || known.contains(key) || recent.containsKey(key)) {
      return;
    }
    int events = batch.events().size();
    if (depth + events > config.queueSize()) {
      metrics.dropped(events);
      droppedLog.count(events, clock.getAsLong(), n -> LOG.log(System.Logger.Level.WARNING,
        "webhook queue full ({0} events): {1} events dropped in the last interval", config.queueSize(), n));
      finish(key);
      return;
    }
    known.add(key);
    depth += events;
    RoomLine line = lines.computeIfAbsent(batch.room(), room -> new RoomLine());
    line.add(new RoomLine.Pending(key, batch, clock.getAsLong()));
    pump(batch.room(), line);
  }

  boolean isKnown(String key) {
    return known.contains(key) || recent.containsKey(key);
  }

  /** Events waiting or being delivered here. */
  int depth() {
    return depth;
  }

  private void pump(String room, RoomLine line) {
    long now = clock.getAsLong();
    switch (line.next(now, config.reorderWindowMillis())) {
      case STALE -> {
        RoomLine.Pending copy = line.take(false);
        forget(copy);
        pump(room, line);
      }
      case WAIT -> waitForGap(room, line, line.head().arrived() + config.reorderWindowMillis() - now);
      case DUE -> start(room, line, line.take(true));
      case NOTHING -> {
        if (line.finished()) {
          lines.remove(room, line);
        }
      }
      default -> {
        // BUSY: the batch in delivery pumps again when it is done
      }
    }
  }

  private void waitForGap(String room, RoomLine line, long delay) {
    if (line.waitTimer < 0) {
      line.waitTimer = vertx.setTimer(Math.max(1, delay), id -> {
        line.waitTimer = -1;
        pump(room, line);
      });
    }
  }

  private void start(String room, RoomLine line, RoomLine.Pending batch) {
    if (!outbox.owns(batch.key())) {
      // the room's partition moved to another member, which delivers it from the replicated map
      known.remove(batch.key());
      depth -= batch.batch().events().size();
      line.released();
      pump(room, line);
      return;
    }
    outbox.holds(batch.key()).onComplete(held -> {
      if (held.succeeded() && !held.result()) {
        // the member that owned the room before a migration delivered it meanwhile: not sent twice
        moveOn(room, line, batch);
        return;
      }
      deliver(batch.batch()).onComplete(ar -> moveOn(room, line, batch));
    });
  }

  /** The batch taken is done with, here or by another member: the line moves past it. */
  private void moveOn(String room, RoomLine line, RoomLine.Pending batch) {
    line.delivered(batch.batch(), clock.getAsLong());
    forget(batch);
    pump(room, line);
  }

  private void forget(RoomLine.Pending batch) {
    known.remove(batch.key());
    depth -= batch.batch().events().size();
    finish(batch.key());
  }

  private void finish(String key) {
    recent.put(key, Boolean.TRUE);
    outbox.done(key);
  }

  /** The batch's events in order, each once every receiver has it or has given up on it. */
  private Future<Void> deliver(EventBatch batch) {
    Future<Void> chain = Future.succeededFuture();
    for (JsonObject event : batch.events()) {
      chain = chain.compose(v -> withUsage(batch.room(), event)).compose(body -> {
        List<Future<Void>> receivers = new ArrayList<>();
        for (String url : config.urls()) {
          Promise<Void> done = Promise.promise();
          attempt(url, body, 1, batch.createdAt(), done);
          receivers.add(done.future());
        }
        return Future.join(receivers).mapEmpty();
      });
    }
    return chain;
  }

  /** The event's bytes; room_finished with the room's TURN usage, if that comes in time. */
  private Future<Buffer> withUsage(String room, JsonObject event) {
    if (!WebhookEvents.ROOM_FINISHED.equals(event.getString("type"))) {
      return Future.succeededFuture(event.toBuffer());
    }
    Promise<JsonObject> answer = Promise.promise();
    long timer = vertx.setTimer(USAGE_WAIT_MS, id -> answer.tryFail("no answer within " + USAGE_WAIT_MS + " ms"));
    try {
      usage.roomUsage(room).onComplete(answer::tryComplete, answer::tryFail);
    } catch (RuntimeException e) {
      answer.tryFail(e);
    }
    return answer.future().transform(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded() && ar.result() != null) {
        return Future.succeededFuture(event.copy().put("turnUsage", ar.result()).toBuffer());
      }
      usageLog.count(1, clock.getAsLong(), n -> LOG.log(System.Logger.Level.WARNING,
        "room_finished sent without turnUsage ({0} times in the last interval): {1}", n,
        ar.failed() ? ar.cause().toString() : "no usage"));
      return Future.succeededFuture(event.toBuffer());
    });
  }

  private void attempt(String url, Buffer body, int attempt, long createdAt, Promise<Void> done) {
    sender.post(url, body, clock.getAsLong()).onComplete(ar -> {
      long now = clock.getAsLong();
      WebhookSender.Outcome outcome = ar.succeeded() ? ar.result() : WebhookSender.Outcome.RETRY;
      if (outcome == WebhookSender.Outcome.DELIVERED) {
        metrics.delivered(Math.max(0, now - createdAt));
        done.complete();
      } else if (outcome == WebhookSender.Outcome.PERMANENT || attempt >= config.maxAttempts()
        || now - createdAt > config.maxAgeSeconds() * 1000L) {
        giveUp(url, outcome, attempt, done);
      } else {
        metrics.retried();
        vertx.setTimer(backoff.delay(attempt, ThreadLocalRandom.current().nextDouble()),
          id -> attempt(url, body, attempt + 1, createdAt, done));
      }
    });
  }

  private void giveUp(String url, WebhookSender.Outcome outcome, int attempts, Promise<Void> done) {
    metrics.failed();
    String why = outcome == WebhookSender.Outcome.PERMANENT ? "refused (4xx)" : "not answered after " + attempts
      + " attempts";
    failedLog.count(1, clock.getAsLong(), n -> LOG.log(System.Logger.Level.WARNING,
      "webhook to {0} given up: {1} ({2} given up in the last interval)", receiver(url), why, n));
    done.complete();
  }

  /** Scheme, host and port only: a receiver's path or query may hold a token of its own. */
  private static String receiver(String url) {
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  private void sweepIdleRooms() {
    long now = clock.getAsLong();
    lines.values().removeIf(line -> line.idle() && now - line.lastActivity > IDLE_ROOM_MS);
  }

  /**
   * A stopping node: nothing new is taken; completes when every event here is delivered or given up, or after
   * {@code millis}, whichever comes first.
   */
  Future<Integer> drain(long millis) {
    stopping = true;
    Promise<Integer> drained = Promise.promise();
    long deadline = clock.getAsLong() + millis;
    vertx.setPeriodic(0, 50, id -> {
      if (depth == 0 || clock.getAsLong() >= deadline) {
        vertx.cancelTimer(id);
        vertx.cancelTimer(sweepTimer);
        drained.complete(depth);
      }
    });
    return drained.future();
  }
}
