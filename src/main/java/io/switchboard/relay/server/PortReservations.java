package io.switchboard.relay.server;

import io.switchboard.relay.policy.RelayPortAllocator;

import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Relay ports held for a later Allocate with RESERVATION-TOKEN (RFC 8656 section 7: EVEN-PORT with the R bit),
 * for {@link #HOLD_NANOS}. Shared by the relay instances of a node (the second Allocate comes from another client
 * port, which SO_REUSEPORT may hand to another instance). Bounded by {@link #MAX_RESERVATIONS}.
 */
final class PortReservations {

  /** The RFC suggests about 30 seconds. */
  static final long HOLD_NANOS = 30_000_000_000L;
  static final int MAX_RESERVATIONS = 10_000;

  private final SecureRandom random = new SecureRandom();
  private final Map<Long, long[]> byToken = new ConcurrentHashMap<>();
  private final RelayPortAllocator ports;

  PortReservations(RelayPortAllocator ports) {
    this.ports = ports;
  }

  /** A token for {@code port} (already taken from the allocator), or null when too many are held. */
  Long reserve(int port, long nowNanos) {
    if (byToken.size() >= MAX_RESERVATIONS) {
      return null;
    }
    long token = random.nextLong();
    byToken.put(token, new long[]{port, nowNanos + HOLD_NANOS});
    return token;
  }

  /** The port held under {@code token}, now the caller's, or -1 when there is none (or it lapsed). */
  int take(long token, long nowNanos) {
    long[] held = byToken.remove(token);
    if (held == null) {
      return -1;
    }
    if (nowNanos - held[1] >= 0) {
      ports.release((int) held[0]);
      return -1;
    }
    return (int) held[0];
  }

  /** Gives back the ports of lapsed reservations. */
  void sweep(long nowNanos) {
    Iterator<Map.Entry<Long, long[]>> it = byToken.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, long[]> entry = it.next();
      if (nowNanos - entry.getValue()[1] >= 0 && byToken.remove(entry.getKey(), entry.getValue())) {
        ports.release((int) entry.getValue()[0]);
      }
    }
  }
}
