package io.switchboard.webhook;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.switchboard.cluster.HazelcastSetup;
import io.switchboard.metrics.WebhookMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A cluster's outbox: the {@code switchboard.webhooks} map, one entry per room holding its pending batches, with
 * a backup. The member owning the room's partition delivers them; when it leaves or dies, the partition (with
 * the batches) passes to another member, which finds them on its next scan and delivers them. So a batch
 * outlives both the node that produced it and the node that was delivering it.
 */
final class HazelcastOutbox implements WebhookOutbox {

  private static final System.Logger LOG = System.getLogger(HazelcastOutbox.class.getName());
  /** How often a member looks for batches on partitions it has just been given. */
  static final long SCAN_MS = 1000;
  private static final long LOG_INTERVAL_MS = 60_000;

  private final HazelcastInstance hazelcast;
  private final IMap<String, String> pending;
  private final int roomLimit;
  private final WebhookMetrics metrics;
  private final ThrottledLog refusedLog = new ThrottledLog(LOG_INTERVAL_MS);
  private WebhookDeliverer deliverer;
  private Context context;
  private UUID listener;
  private long scanTimer = -1;
  private boolean scanning;

  /** @param roomLimit batches one room's entry holds at most (more are dropped and counted) */
  HazelcastOutbox(HazelcastInstance hazelcast, int roomLimit, WebhookMetrics metrics) {
    this.hazelcast = hazelcast;
    this.pending = hazelcast.getMap(HazelcastSetup.WEBHOOKS_MAP);
    this.roomLimit = roomLimit;
    this.metrics = metrics;
  }

  /** The serializers of the outbox's entry processors, for every member's configuration. */
  static List<SerializerConfig> serializers() {
    return OutboxProcessors.serializers();
  }

  @Override
  public void publish(EventBatch batch) {
    pending.submitToKey(batch.room(), new OutboxProcessors.Append(batch.key(), batch.encode(), roomLimit))
      .whenComplete((stored, failure) -> {
        if (failure != null || !stored) {
          metrics.dropped(batch.events().size());
          refused(batch, failure == null ? "the room holds " + roomLimit + " pending batches" : failure.toString());
        }
      });
  }

  private synchronized void refused(EventBatch batch, String why) {
    refusedLog.count(batch.events().size(), System.currentTimeMillis(), n -> LOG.log(System.Logger.Level.WARNING,
      "webhook events not stored ({0} in the last interval), room {1}: {2}", n, batch.room(), why));
  }

  @Override
  public void start(WebhookDeliverer deliverer, Context context) {
    this.deliverer = deliverer;
    this.context = context;
    listener = pending.addLocalEntryListener(new Changes());
    scanTimer = context.owner().setPeriodic(0, SCAN_MS, id -> scan());
  }

  /** The owner hears of each change to an entry of its own partitions. */
  private final class Changes implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      String value = event.getValue();
      context.runOnContext(v -> offerAll(value));
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      entryAdded(event);
    }
  }

  /** Every batch of a room's entry; those the deliverer holds already are ignored there. */
  private void offerAll(String value) {
    Map<String, Object> batches;
    try {
      batches = OutboxProcessors.batches(value);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "unreadable webhook outbox entry ignored: {0}", e.toString());
      return;
    }
    batches.forEach((key, batch) -> {
      if (!deliverer.isKnown(key)) {
        offer(key, batch);
      }
    });
  }

  private void offer(String key, Object batch) {
    try {
      deliverer.offer(key, EventBatch.decode((String) batch));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "unreadable webhook batch {0} dropped: {1}", key, e.toString());
      done(key);
    }
  }

  /** Rooms on this member's partitions whose batches its deliverer may not hold (a partition just given). */
  private void scan() {
    if (scanning) {
      return;
    }
    scanning = true;
    context.executeBlocking(() -> {
      Set<String> rooms = pending.localKeySet();
      return rooms.isEmpty() ? Map.<String, String>of() : pending.getAll(rooms);
    }, false).onComplete(ar -> {
      scanning = false;
      if (ar.succeeded()) {
        ar.result().values().forEach(this::offerAll);
      } else {
        LOG.log(System.Logger.Level.WARNING, "webhook outbox scan failed: {0}", ar.cause().toString());
      }
    });
  }

  @Override
  public void stop() {
    if (scanTimer >= 0) {
      context.owner().cancelTimer(scanTimer);
    }
    if (listener != null) {
      pending.removeEntryListener(listener);
    }
  }

  @Override
  public void done(String key) {
    pending.submitToKey(roomOf(key), new OutboxProcessors.Remove(key));
  }

  @Override
  public boolean owns(String key) {
    Member owner = hazelcast.getPartitionService().getPartition(roomOf(key)).getOwner();
    return owner == null || owner.localMember(); // no owner: mid-migration, a duplicate beats a loss
  }

  @Override
  public Future<Boolean> holds(String key) {
    return Future.fromCompletionStage(pending.submitToKey(roomOf(key), new OutboxProcessors.Holds(key)), context)
      .otherwise(true);
  }

  /** The room of a batch key ({@link EventBatch#key()}): everything after the first {@code @}. */
  static String roomOf(String key) {
    return key.substring(key.indexOf('@') + 1);
  }

  @Override
  public boolean survivesStop() {
    return true;
  }
}
