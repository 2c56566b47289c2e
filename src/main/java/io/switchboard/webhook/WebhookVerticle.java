package io.switchboard.webhook;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.metrics.WebhookMetrics;
import io.switchboard.relay.usage.TurnUsageQuery;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Delivers this node's share of the webhook events. Deployed before presence and stopped after it, so that the
 * events of presence's own drain get their chance too: on stop, pending events have {@code webhooks.drainSeconds}
 * to be delivered; in a cluster, whatever is left stays in the replicated outbox for the member that takes the
 * rooms' partitions over.
 */
final class WebhookVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(WebhookVerticle.class.getName());

  private final SwitchboardConfig.Webhooks config;
  private final WebhookOutbox outbox;
  private final TurnUsageQuery usage;
  private final Webhooks.Depth depth;
  private final WebhookMetrics metrics;
  private WebhookSender sender;
  private WebhookDeliverer deliverer;

  WebhookVerticle(SwitchboardConfig.Webhooks config, WebhookOutbox outbox, TurnUsageQuery usage,
                  WebhookMetrics metrics, Webhooks.Depth depth) {
    this.config = config;
    this.outbox = outbox;
    this.usage = usage;
    this.metrics = metrics;
    this.depth = depth;
  }

  @Override
  public Future<?> start() {
    sender = new WebhookSender(vertx, config.secrets(), config.requestTimeoutMillis());
    deliverer = new WebhookDeliverer(vertx, config, sender, usage, metrics, outbox, System::currentTimeMillis);
    depth.source = deliverer::depth;
    outbox.start(deliverer, context);
    LOG.log(System.Logger.Level.INFO, "webhooks on: {0} receiver(s), signed with {1} secret(s)",
      config.urls().size(), config.secrets().size());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    outbox.stop();
    return deliverer.drain(config.drainSeconds() * 1000L).map(left -> {
      if (left > 0) {
        LOG.log(System.Logger.Level.WARNING, "{0} webhook events not delivered before stopping; {1}", left,
          outbox.survivesStop() ? "the cluster's other members deliver them" : "they are lost");
      }
      sender.close();
      return null;
    });
  }
}
