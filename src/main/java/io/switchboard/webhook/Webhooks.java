package io.switchboard.webhook;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.config.SerializerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.metrics.WebhookMetrics;
import io.switchboard.relay.usage.TurnUsageQuery;
import io.switchboard.signaling.presence.RoomChange;
import io.switchboard.signaling.presence.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.function.IntSupplier;

/**
 * Webhooks of one node, chosen once at start-up like the room store: an in-memory outbox on a single node, the
 * replicated one in a cluster. {@link #wrap} makes presence's store report committed changes; {@link #deploy}
 * starts delivery.
 */
public final class Webhooks {

  private static final System.Logger LOG = System.getLogger(Webhooks.class.getName());

  private final SwitchboardConfig.Webhooks config;
  private final WebhookOutbox outbox;
  private final TurnUsageQuery usage;
  private final WebhookMetrics metrics;
  private final Depth depth = new Depth();

  private Webhooks(SwitchboardConfig.Webhooks config, HazelcastInstance hazelcast, TurnUsageQuery usage,
                   MeterRegistry registry) {
    this.config = config;
    this.usage = usage;
    this.metrics = new WebhookMetrics(registry, depth);
    this.outbox = hazelcast == null ? new LocalOutbox() : new HazelcastOutbox(hazelcast, config.queueSize(), metrics);
  }

  /** A single node's webhooks. */
  public static Webhooks standalone(SwitchboardConfig.Webhooks config, TurnUsageQuery usage,
                                    MeterRegistry registry) {
    return new Webhooks(config, null, usage, registry);
  }

  /** A cluster member's webhooks, over the cluster's replicated outbox. */
  public static Webhooks clustered(SwitchboardConfig.Webhooks config, HazelcastInstance hazelcast,
                                   TurnUsageQuery usage, MeterRegistry registry) {
    return new Webhooks(config, hazelcast, usage, registry);
  }

  /** How the replicated outbox's operations cross between members; every member registers them. */
  public static List<SerializerConfig> serializers() {
    return HazelcastOutbox.serializers();
  }

  /** Presence's store, reporting each change this node commits as webhook events. */
  public RoomStore wrap(RoomStore store) {
    return new WebhookRoomStore(store, this::committed);
  }

  /** On the presence loop: whatever goes wrong here must not touch presence, so it is logged and stops here. */
  private void committed(RoomChange change) {
    try {
      outbox.publish(WebhookEvents.of(change, System.currentTimeMillis()));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "webhook events of room {0} not produced: {1}", change.room(),
        e.toString());
    }
  }

  public Future<String> deploy(Vertx vertx) {
    return vertx.deployVerticle(new WebhookVerticle(config, outbox, usage, metrics, depth));
  }

  /** The queue-depth gauge's source, set once the deliverer exists (read from the metrics thread). */
  static final class Depth implements IntSupplier {

    volatile IntSupplier source = () -> 0;

    @Override
    public int getAsInt() {
      return source.getAsInt();
    }
  }
}
