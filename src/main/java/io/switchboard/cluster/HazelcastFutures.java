package io.switchboard.cluster;

import com.hazelcast.internal.util.ConcurrencyUtil;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * Hazelcast's futures, continued where Switchboard wants them, and Hazelcast's default async executor fixed.
 *
 * <p>A callback registered without an executor (Hazelcast registers some itself, for every map operation's
 * result) runs on Hazelcast's default async executor. On a machine with two cores or fewer, where ForkJoinPool's
 * common parallelism is 1, that executor starts a new thread for every callback: measured at 8 threads and about
 * 2.8 ms of CPU per TURN allocation with the cluster-wide quota, and it costs every presence change too.
 * {@link #boundDefaultExecutor()} replaces it with a small pool once per JVM; {@link #on} names its executor.
 */
public final class HazelcastFutures {

  /** Runs a callback on the thread that completes the future (for cheap callbacks only). */
  public static final Executor SAME_THREAD = Runnable::run;
  private static final int DEFAULT_EXECUTOR_THREADS = 2;
  private static boolean bounded;

  private HazelcastFutures() {
  }

  /**
   * Gives Hazelcast a bounded default async executor when the JDK's common pool would not be used (parallelism
   * below 2). Call before the first Hazelcast member starts; later calls do nothing.
   */
  public static synchronized void boundDefaultExecutor() {
    if (bounded || ForkJoinPool.getCommonPoolParallelism() > 1) {
      return;
    }
    ConcurrencyUtil.setDefaultAsyncExecutor(new ForkJoinPool(DEFAULT_EXECUTOR_THREADS, pool -> {
      ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
      thread.setName("hz-async-" + thread.getPoolIndex());
      thread.setDaemon(true);
      return thread;
    }, null, true));
    bounded = true;
  }

  /** A Vert.x future completed on {@code context}'s event loop, with no thread in between. */
  public static <T> Future<T> on(CompletionStage<T> stage, Context context) {
    Promise<T> promise = Promise.promise();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure != null) {
        promise.fail(failure);
      } else {
        promise.complete(value);
      }
    }, command -> context.runOnContext(v -> command.run()));
    return promise.future();
  }
}
