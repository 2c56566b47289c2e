package io.switchboard.relay.allocation;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The allocations of one relay instance, by five-tuple. UDP allocations are kept by client address alone (the rest
 * of the five-tuple is the instance's listening socket), so the per-datagram lookup needs no key object; allocations
 * of stream clients (TCP, TLS) by their whole five-tuple. Single-threaded: owned by the event loop of its relay
 * verticle instance. Quotas across instances are kept by the quota policy, not here.
 */
public final class AllocationManager {

  private final Map<InetSocketAddress, Allocation> byClient = new HashMap<>();
  private final Map<FiveTuple, Allocation> byStream = new HashMap<>();

  /** The UDP allocation of {@code client}. */
  public Allocation get(InetSocketAddress client) {
    return byClient.get(client);
  }

  /** The allocation of {@code client}'s five-tuple, whatever its transport. */
  public Allocation of(ClientPath client) {
    return client.transport() == ClientTransport.UDP ? byClient.get(client.address())
      : byStream.get(client.fiveTuple());
  }

  public void add(Allocation allocation) {
    FiveTuple tuple = allocation.fiveTuple();
    Allocation previous = tuple.transport() == ClientTransport.UDP ? byClient.putIfAbsent(tuple.client(), allocation)
      : byStream.putIfAbsent(tuple, allocation);
    if (previous != null) {
      throw new IllegalStateException("an allocation exists for " + tuple);
    }
  }

  /** Removes {@code allocation} if it is the one held for its five-tuple; returns whether it was. */
  public boolean remove(Allocation allocation) {
    FiveTuple tuple = allocation.fiveTuple();
    return tuple.transport() == ClientTransport.UDP ? byClient.remove(tuple.client(), allocation)
      : byStream.remove(tuple, allocation);
  }

  public int size() {
    return byClient.size() + byStream.size();
  }

  /** Every allocation; a copy, so callers may delete while they walk it. */
  public List<Allocation> all() {
    List<Allocation> all = new ArrayList<>(size());
    all.addAll(byClient.values());
    all.addAll(byStream.values());
    return all;
  }

  /** Sweeps permissions and channels of live allocations; removes and returns the expired allocations. */
  public List<Allocation> sweep(long nowNanos) {
    List<Allocation> expired = new ArrayList<>(0);
    sweep(byClient.values(), nowNanos, expired);
    sweep(byStream.values(), nowNanos, expired);
    return expired;
  }

  private static void sweep(Collection<Allocation> allocations, long nowNanos, List<Allocation> expired) {
    Iterator<Allocation> it = allocations.iterator();
    while (it.hasNext()) {
      Allocation allocation = it.next();
      if (!allocation.pending() && allocation.expired(nowNanos)) {
        it.remove();
        expired.add(allocation);
      } else {
        allocation.sweep(nowNanos);
      }
    }
  }
}
