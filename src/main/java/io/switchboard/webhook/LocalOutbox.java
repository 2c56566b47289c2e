package io.switchboard.webhook;

import io.vertx.core.Context;
import io.vertx.core.Future;

/** A single node's outbox: batches go straight to its deliverer's queue, in memory. */
final class LocalOutbox implements WebhookOutbox {

  /** Only this node's deliverer ever holds a batch: one it is about to deliver is still waiting. */
  private static final Future<Boolean> HELD = Future.succeededFuture(true);

  private volatile WebhookDeliverer deliverer;
  private volatile Context context;

  @Override
  public void publish(EventBatch batch) {
    WebhookDeliverer target = deliverer;
    if (target != null) {
      context.runOnContext(v -> target.offer(batch.key(), batch));
    }
  }

  @Override
  public void start(WebhookDeliverer deliverer, Context context) {
    this.context = context;
    this.deliverer = deliverer;
  }

  @Override
  public void stop() {
    // presence stops producing before webhooks stop: nothing more arrives
  }

  @Override
  public void done(String key) {
    // nothing kept beyond the deliverer's queue
  }

  @Override
  public boolean owns(String key) {
    return true;
  }

  @Override
  public Future<Boolean> holds(String key) {
    return HELD;
  }

  @Override
  public boolean survivesStop() {
    return false;
  }
}
