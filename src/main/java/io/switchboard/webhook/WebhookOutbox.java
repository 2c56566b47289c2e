package io.switchboard.webhook;

import io.vertx.core.Context;
import io.vertx.core.Future;

/**
 * Where produced batches wait until delivered: in this node's memory on a single node, in a replicated Hazelcast
 * map in a cluster (so that they outlive the node that produced or was delivering them).
 */
interface WebhookOutbox {

  /** Keeps {@code batch} until {@link #done}; any thread. */
  void publish(EventBatch batch);

  /** Starts handing this node's share of the batches to {@code deliverer}, on {@code context}. */
  void start(WebhookDeliverer deliverer, Context context);

  /** Stops handing batches over (a stopping node); what is not done stays for the next deliverer, if any. */
  void stop();

  /** The batch was delivered, given up or dropped: it is forgotten. */
  void done(String key);

  /** This node is still the one to deliver the batch (in a cluster: it owns the room's partition). */
  boolean owns(String key);

  /**
   * Whether the batch still waits, that is no node has called {@link #done} for it, answered on the deliverer's
   * context. In a cluster the member that owned the room before a migration may have delivered it meanwhile.
   * When this cannot be found out the answer is true: a duplicate beats a loss.
   */
  Future<Boolean> holds(String key);

  /** Whether batches not delivered when this node stops are still delivered by another. */
  boolean survivesStop();
}
