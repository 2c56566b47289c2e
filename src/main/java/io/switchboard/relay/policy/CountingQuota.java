package io.switchboard.relay.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * Allocation counts per owner and in total (coturn's {@code user-quota} and {@code total-quota}). The map holds only
 * owners with at least one unit, so it is bounded by the total quota. Thread-safe (instances on several event
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
  public synchronized boolean tryAcquire(String owner) {
    int mine = perUser.getOrDefault(owner, 0);
    if (total >= maxTotal || mine >= maxPerUser) {
      return false;
    }
    perUser.put(owner, mine + 1);
    total++;
    return true;
  }

  @Override
  public synchronized void release(String owner) {
    Integer mine = perUser.get(owner);
    if (mine == null) {
      return;
    }
    if (mine == 1) {
      perUser.remove(owner);
    } else {
      perUser.put(owner, mine - 1);
    }
    total--;
  }

  public synchronized int total() {
    return total;
  }
}
