package io.switchboard.relay.allocation;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The allocations of one listening socket, by client address (the rest of the five-tuple is the socket itself).
 * Single-threaded: owned by the event loop of its relay verticle instance. Quotas across instances are kept by the
 * quota policy, not here.
 */
public final class AllocationManager {

  private final Map<InetSocketAddress, Allocation> byClient = new HashMap<>();

  public Allocation get(InetSocketAddress client) {
    return byClient.get(client);
  }

  public void add(Allocation allocation) {
    Allocation previous = byClient.putIfAbsent(allocation.fiveTuple().client(), allocation);
    if (previous != null) {
      throw new IllegalStateException("an allocation exists for " + allocation.fiveTuple());
    }
  }

  /** Removes {@code allocation} if it is the one held for its client; returns whether it was. */
  public boolean remove(Allocation allocation) {
    return byClient.remove(allocation.fiveTuple().client(), allocation);
  }

  public int size() {
    return byClient.size();
  }

  public Collection<Allocation> all() {
    return byClient.values();
  }

  /** Sweeps permissions and channels of live allocations; removes and returns the expired allocations. */
  public List<Allocation> sweep(long nowNanos) {
    List<Allocation> expired = null;
    Iterator<Allocation> it = byClient.values().iterator();
    while (it.hasNext()) {
      Allocation allocation = it.next();
      if (!allocation.pending() && allocation.expired(nowNanos)) {
        it.remove();
        if (expired == null) {
          expired = new ArrayList<>();
        }
        expired.add(allocation);
      } else {
        allocation.sweep(nowNanos);
      }
    }
    return expired == null ? List.of() : expired;
  }
}
