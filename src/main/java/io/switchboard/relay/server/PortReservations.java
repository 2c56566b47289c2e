package io.switchboard.relay.server;

import io.switchboard.relay.policy.QuotaPolicy;
import io.switchboard.relay.policy.RelayPortAllocator;

import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Relay ports held for a later Allocate with RESERVATION-TOKEN (RFC 8656 section 7: EVEN-PORT with the R bit),
 * for {@link #HOLD_NANOS}. Shared by the relay instances of a node (the second Allocate comes from another client
 * port, which SO_REUSEPORT may hand to another instance). Bounded by {@link #MAX_RESERVATIONS}, and each one holds
 * a unit of its owner's quota, so nobody can hold more ports through reservations than through allocations.
 */
final class PortReservations {

  /** The RFC suggests about 30 seconds. */
  static final long HOLD_NANOS = 30_000_000_000L;
  static final int MAX_RESERVATIONS = 10_000;

  /** A held port, until when, whose quota it counts against, and the family it was reserved in. */
  private record Held(int port, long untilNanos, String owner, int family) {
  }

  /**
   * A port taken with its token, and its address family (REQUESTED-ADDRESS-FAMILY value): the second Allocate
   * carries no family of its own (RFC 8656 section 7.2 step 5), its relayed address has the first one's.
   */
  record Claim(int port, int family) {
  }

  private final SecureRandom random = new SecureRandom();
  private final Map<Long, Held> byToken = new ConcurrentHashMap<>();
  private final RelayPortAllocator ports;
  private final QuotaPolicy quota;

  PortReservations(RelayPortAllocator ports, QuotaPolicy quota) {
    this.ports = ports;
    this.quota = quota;
  }

  /**
   * A token for {@code port} (already taken from the allocator), or null when too many are held or
   * {@code owner}'s quota is used up.
   */
  Long reserve(int port, String owner, long nowNanos, int family) {
    if (byToken.size() >= MAX_RESERVATIONS || !quota.tryAcquire(owner)) {
      return null;
    }
    long token = random.nextLong();
    byToken.put(token, new Held(port, nowNanos + HOLD_NANOS, owner, family));
    return token;
  }

  /**
   * The port held under {@code token}, now the caller's, or null when there is none (or it lapsed). The
   * reservation's quota unit is given back: the Allocate that takes the port holds its own.
   */
  Claim take(long token, long nowNanos) {
    Held held = byToken.remove(token);
    if (held == null) {
      return null;
    }
    quota.release(held.owner());
    if (nowNanos - held.untilNanos() >= 0) {
      ports.release(held.port());
      return null;
    }
    return new Claim(held.port(), held.family());
  }

  /** Gives back the ports and quota units of lapsed reservations. */
  void sweep(long nowNanos) {
    Iterator<Map.Entry<Long, Held>> it = byToken.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Held> entry = it.next();
      Held held = entry.getValue();
      if (nowNanos - held.untilNanos() >= 0 && byToken.remove(entry.getKey(), held)) {
        ports.release(held.port());
        quota.release(held.owner());
      }
    }
  }

  /** Reservations held now (for tests and metrics). */
  int size() {
    return byToken.size();
  }
}
