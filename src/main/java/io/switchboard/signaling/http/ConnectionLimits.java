package io.switchboard.signaling.http;

import io.switchboard.config.SwitchboardConfig;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The per-address limits of one node, shared by all its edge instances (every event loop): concurrent
 * connections per client address, and a token bucket of WebSocket upgrades per client address.
 *
 * <p>Memory stays bounded: an address has an entry only while it holds a connection or its bucket is still
 * refilling, so entries are dropped when the last connection closes with a full bucket, or by {@link #sweep}
 * once the bucket has refilled. Keeping a drained bucket until then means closing every connection does not
 * reset it. Beyond {@link #MAX_TRACKED_ADDRESSES} (a flood from that many addresses at once) new addresses are
 * served untracked rather than refused, so such a flood cannot lock everyone else out; the timeouts still
 * apply to them.
 */
public final class ConnectionLimits {

  /** Hard bound on per-address entries (about 100 bytes each). */
  public static final int MAX_TRACKED_ADDRESSES = 100_000;
  private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ClientAddresses addresses;
  private final int maxConnections;
  private final double tokensPerNano;
  private final int burst;
  private final int maxTracked;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong lastSweep;

  public ConnectionLimits(SwitchboardConfig.Http http, LongSupplier nanoClock) {
    this(http, nanoClock, MAX_TRACKED_ADDRESSES);
  }

  ConnectionLimits(SwitchboardConfig.Http http, LongSupplier nanoClock, int maxTracked) {
    this.addresses = new ClientAddresses(http.exemptAddresses());
    this.maxConnections = http.maxConnectionsPerAddress();
    this.tokensPerNano = http.upgradesPerSecondPerAddress() / 1e9;
    this.burst = http.upgradeBurstPerAddress();
    this.maxTracked = maxTracked;
    this.nanoClock = nanoClock;
    this.lastSweep = new AtomicLong(nanoClock.getAsLong());
  }

  /** A new connection from {@code remoteIp}: its lease, or null when the address is at its cap. */
  public Lease acquire(String remoteIp) {
    String key = maxConnections == 0 && tokensPerNano == 0 ? null : addresses.key(remoteIp);
    Lease lease = key == null ? new Lease(null, null) : admit(key);
    if (lease != null) {
      open.incrementAndGet();
    }
    return lease;
  }

  private Lease admit(String key) {
    long now = nanoClock.getAsLong();
    Entry[] admitted = new Entry[1];
    boolean[] refused = new boolean[1];
    // compute runs atomically per key, so counting and dropping an entry never race with each other
    entries.compute(key, (k, entry) -> {
      if (entry == null) {
        if (entries.size() >= maxTracked) {
          return null; // served untracked, see the class comment
        }
        entry = new Entry(burst, now);
      } else if (maxConnections > 0 && entry.connections >= maxConnections) {
        refused[0] = true;
        return entry;
      }
      entry.connections++;
      admitted[0] = entry;
      return entry;
    });
    if (refused[0]) {
      return null;
    }
    return admitted[0] == null ? new Lease(null, null) : new Lease(key, admitted[0]);
  }

  /** Drops entries of addresses without connections whose bucket has refilled; runs at most once a second. */
  public void sweep() {
    long now = nanoClock.getAsLong();
    long last = lastSweep.get();
    if (now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
      return;
    }
    entries.forEach((key, entry) -> {
      if (entry.connections == 0) { // a hint; decided again under the key's lock
        entries.computeIfPresent(key, (k, e) -> e.connections == 0 && e.full(now, tokensPerNano, burst) ? null : e);
      }
    });
  }

  /** HTTP connections open, WebSockets and exempt addresses included. */
  public int openConnections() {
    return open.get();
  }

  public int trackedAddresses() {
    return entries.size();
  }

  /**
   * One open connection's hold on its address's entry. Used on the connection's event loop only; released
   * exactly once, when the connection (or the WebSocket it became) closes.
   */
  public final class Lease {

    private final String key;
    private final Entry entry;
    private boolean released;

    private Lease(String key, Entry entry) {
      this.key = key;
      this.entry = entry;
    }

    /** Takes one upgrade token from the address's bucket; false when it is empty. */
    public boolean tryUpgrade() {
      return entry == null || tokensPerNano == 0 || entry.take(nanoClock.getAsLong(), tokensPerNano, burst);
    }

    public void release() {
      if (released) {
        return;
      }
      released = true;
      open.decrementAndGet();
      if (entry != null) {
        long now = nanoClock.getAsLong();
        entries.computeIfPresent(key, (k, e) -> {
          e.connections--;
          return e.connections == 0 && e.full(now, tokensPerNano, burst) ? null : e;
        });
      }
    }
  }

  /** Per-address state. {@code connections} changes only inside the map's compute for its key. */
  private static final class Entry {

    private int connections;
    private double tokens;
    private long refilledAt;

    Entry(int burst, long now) {
      this.tokens = burst;
      this.refilledAt = now;
    }

    synchronized boolean take(long now, double tokensPerNano, int burst) {
      refill(now, tokensPerNano, burst);
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }

    synchronized boolean full(long now, double tokensPerNano, int burst) {
      if (tokensPerNano == 0) {
        return true;
      }
      refill(now, tokensPerNano, burst);
      return tokens >= burst;
    }

    private void refill(long now, double tokensPerNano, int burst) {
      if (now > refilledAt) {
        tokens = Math.min(burst, tokens + (now - refilledAt) * tokensPerNano);
        refilledAt = now;
      }
    }
  }
}
