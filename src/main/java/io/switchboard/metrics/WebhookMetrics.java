package io.switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * Meters of webhook delivery on this node: {@code switchboard_webhook_deliveries_total} by result (one count per
 * event and receiver: delivered, retried per retry, failed when given up, dropped when the queue was full), the
 * events waiting here, and how long after its change an event reached its receiver.
 */
public final class WebhookMetrics {

  private static final String DELIVERIES = "switchboard.webhook.deliveries";
  private static final String DESCRIPTION = "Webhook events by result: delivered (2xx), retried (one per retry), "
    + "failed (given up: refused with 4xx, out of attempts or too old), dropped (queue full)";

  private final Counter delivered;
  private final Counter retried;
  private final Counter failed;
  private final Counter dropped;
  private final Timer latency;

  public WebhookMetrics(MeterRegistry registry, IntSupplier queueDepth) {
    delivered = counter(registry, "delivered");
    retried = counter(registry, "retried");
    failed = counter(registry, "failed");
    dropped = counter(registry, "dropped");
    latency = Timer.builder("switchboard.webhook.delivery.latency")
      .description("From the room change to the receiver's 2xx, retries included")
      .register(registry);
    Gauge.builder("switchboard.webhook.queue.depth", queueDepth::getAsInt)
      .description("Webhook events waiting on this node for delivery (or being delivered)").register(registry);
  }

  private static Counter counter(MeterRegistry registry, String result) {
    return Counter.builder(DELIVERIES).tag("result", result).description(DESCRIPTION).register(registry);
  }

  public void delivered(long latencyMillis) {
    delivered.increment();
    latency.record(Duration.ofMillis(latencyMillis));
  }

  public void retried() {
    retried.increment();
  }

  public void failed() {
    failed.increment();
  }

  public void dropped(int events) {
    dropped.increment(events);
  }
}
