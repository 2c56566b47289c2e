package io.switchboard.relay.policy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Allocations per owner across every node's relay. A participant can fetch credentials from any node and
 * allocate on every node's relay, so a per-node quota alone lets one identity hold N times its share in an
 * N-node cluster. Answers arrive asynchronously (the count lives in the cluster). The caller admits when the
 * answer is a failure: a relay that stops allocating whenever the cluster hiccups is worse than a soft limit.
 */
public interface ClusterQuota {

  /**
   * Completes with whether {@code owner} may have one more allocation, or exceptionally when the cluster cannot
   * tell. Callers continue with an explicit executor (never a default async one: see HazelcastFutures).
   */
  CompletionStage<Boolean> tryAcquire(String owner);

  /** Gives back one allocation {@link #tryAcquire} admitted. */
  void release(String owner);

  /** A single node: the per-node quota is the cluster's. */
  static ClusterQuota none() {
    CompletionStage<Boolean> yes = CompletableFuture.completedFuture(true);
    return new ClusterQuota() {
      @Override
      public CompletionStage<Boolean> tryAcquire(String owner) {
        return yes;
      }

      @Override
      public void release(String owner) {
      }
    };
  }
}
