package io.switchboard.relay.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * Allocation counts per user and in total (coturn's {@code user-quota} and {@code total-quota}). The map holds only
 * users with at least one allocation, so it is bounded by the total quota. Thread-safe (instances on several event
 * loops share it); the lock is held for a map update only.
 */
public final class CountingQuota implements QuotaPolicy {

  private final int maxTotal;
  private final int maxPerUser;
  private final Map<String, Integer> perUser = new HashMap<>();
  private int total;

  public CountingQuota(int maxTotal, int maxPerUser) {
    this.maxTotal = maxTotal;
    this.maxPerUser = maxPerUser;
  }

  @Override
  public synchronized boolean tryAcquire(String username) {
    int mine = perUser.getOrDefault(username, 0);
    if (total >= maxTotal || mine >= maxPerUser) {
      return false;
    }
    perUser.put(username, mine + 1);
    total++;
    return true;
  }

  @Override
  public synchronized void release(String username) {
    Integer mine = perUser.get(username);
    if (mine == null) {
      return;
    }
    if (mine == 1) {
      perUser.remove(username);
    } else {
      perUser.put(username, mine - 1);
    }
    total--;
  }

  public synchronized int total() {
    return total;
  }
}
