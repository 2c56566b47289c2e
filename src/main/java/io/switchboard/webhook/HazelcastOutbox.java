package io.switchboard.webhook;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import io.switchboard.cluster.HazelcastSetup;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A cluster's outbox: the {@code switchboard.webhooks} map, with a backup, keyed so that all batches of one room
 * live on the room's partition. The member owning that partition delivers them; when it leaves or dies, the
 * partition (with its batches) passes to another member, which finds them on its next scan and delivers them.
 * So a batch outlives the node that produced it and the node that was delivering it.
 */
final class HazelcastOutbox implements WebhookOutbox {

  private static final System.Logger LOG = System.getLogger(HazelcastOutbox.class.getName());
  /** How often a member looks for batches on partitions it has just been given. */
  static final long SCAN_MS = 1000;

  private final HazelcastInstance hazelcast;
  private final IMap<String, String> pending;
  private WebhookDeliverer deliverer;
  private Context context;
  private UUID listener;
  private long scanTimer = -1;
  private boolean scanning;

  HazelcastOutbox(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.pending = hazelcast.getMap(HazelcastSetup.WEBHOOKS_MAP);
  }

  @Override
  public void publish(EventBatch batch) {
    pending.setAsync(batch.key(), batch.encode()).whenComplete((v, failure) -> {
      if (failure != null) {
        LOG.log(System.Logger.Level.WARNING, "webhook events of room {0} not stored: {1}", batch.room(),
          failure.toString());
      }
    });
  }

  @Override
  public void start(WebhookDeliverer deliverer, Context context) {
    this.deliverer = deliverer;
    this.context = context;
    listener = pending.addLocalEntryListener((EntryAddedListener<String, String>) added ->
      context.runOnContext(v -> offer(added.getKey(), added.getValue())));
    scanTimer = context.owner().setPeriodic(0, SCAN_MS, id -> scan());
  }

  private void offer(String key, String value) {
    if (value == null) {
      return;
    }
    try {
      deliverer.offer(key, EventBatch.decode(value));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "unreadable webhook batch {0} dropped: {1}", key, e.toString());
      pending.deleteAsync(key);
    }
  }

  /** Batches on this member's partitions that its deliverer does not hold yet (a partition it was just given). */
  private void scan() {
    if (scanning) {
      return;
    }
    scanning = true;
    context.executeBlocking(() -> Set.copyOf(pending.localKeySet()), false).compose(keys -> {
      Set<String> missing = new HashSet<>(keys);
      missing.removeIf(deliverer::isKnown);
      return missing.isEmpty() ? Future.succeededFuture(Map.<String, String>of())
        : context.executeBlocking(() -> pending.getAll(missing), false);
    }).onComplete(ar -> {
      scanning = false;
      if (ar.succeeded()) {
        ar.result().forEach(this::offer);
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
    pending.deleteAsync(key);
  }

  @Override
  public boolean owns(String key) {
    Member owner = hazelcast.getPartitionService().getPartition(roomOf(key)).getOwner();
    return owner == null || owner.localMember(); // no owner: mid-migration, a duplicate beats a loss
  }

  /** The partition key of a batch's key: everything after the first {@code @}, its room. */
  static String roomOf(String key) {
    return key.substring(key.indexOf('@') + 1);
  }

  @Override
  public boolean survivesStop() {
    return true;
  }

}
