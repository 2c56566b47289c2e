package io.switchboard.relay.policy;

import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports from {@code [min, max]}, starting each search at a random place so relayed addresses are not predictable.
 * A port another process holds fails to bind; the caller releases it and asks again (a bounded number of times).
 */
public final class RangePortAllocator implements RelayPortAllocator {

  private final int min;
  private final int size;
  private final BitSet inUse;

  public RangePortAllocator(int min, int max) {
    this.min = min;
    this.size = max - min + 1;
    this.inUse = new BitSet(size);
  }

  @Override
  public synchronized int acquire(boolean even) {
    int start = ThreadLocalRandom.current().nextInt(size);
    for (int i = 0; i < size; i++) {
      int index = (start + i) % size;
      int port = min + index;
      if (!inUse.get(index) && (!even || (port & 1) == 0)) {
        inUse.set(index);
        return port;
      }
    }
    return -1;
  }

  @Override
  public synchronized int acquireEvenPair() {
    int start = ThreadLocalRandom.current().nextInt(size);
    for (int i = 0; i < size; i++) {
      int index = (start + i) % size;
      int port = min + index;
      if ((port & 1) == 0 && index + 1 < size && !inUse.get(index) && !inUse.get(index + 1)) {
        inUse.set(index);
        inUse.set(index + 1);
        return port;
      }
    }
    return -1;
  }

  @Override
  public synchronized void release(int port) {
    if (port >= min && port < min + size) {
      inUse.clear(port - min);
    }
  }

  public synchronized int inUse() {
    return inUse.cardinality();
  }
}
