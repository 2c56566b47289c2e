package io.switchboard.signaling.session;

import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link RateLimiter} of each identity in each room on this node. A session leases its participant's
 * limiter for its lifetime; a reconnect (a new session replacing the old one, or joining after it) leases the
 * same one, so it cannot refill its buckets by reconnecting. A limiter nobody leases is forgotten once its buckets
 * are full again, which bounds the map by the sessions on this node plus those that left within a refill time.
 */
public final class ParticipantLimits {

  /** One participant's limiter and how many of its sessions hold it. */
  public static final class Lease {
    private final String room;
    private final String identity;
    private final RateLimiter limiter;
    private int sessions;

    private Lease(String room, String identity, RateLimiter limiter) {
      this.room = room;
      this.identity = identity;
      this.limiter = limiter;
    }

    public RateLimiter limiter() {
      return limiter;
    }
  }

  private final RateLimiter.Rates rates;
  private final Map<String, Lease> byParticipant = new ConcurrentHashMap<>();

  public ParticipantLimits(SwitchboardConfig.Limits limits) {
    this.rates = new RateLimiter.Rates(limits.rateFramesPerSecond(), limits.rateBurst(), limits.rateBytesPerSecond(),
      limits.rateBytesBurst(), limits.rateAbuseSeconds());
  }

  public Lease acquire(String room, String identity, long nowNanos) {
    return byParticipant.compute(key(room, identity), (key, lease) -> {
      Lease held = lease != null ? lease : new Lease(room, identity, new RateLimiter(rates, nowNanos));
      held.sessions++;
      return held;
    });
  }

  public void release(Lease lease) {
    byParticipant.computeIfPresent(key(lease.room, lease.identity), (key, held) -> {
      if (held == lease) {
        held.sessions--;
      }
      return held;
    });
  }

  /** Forgets limiters no session holds whose buckets are full again. Any thread. */
  public void sweep(long nowNanos) {
    for (String key : byParticipant.keySet()) {
      // decided under the entry's lock, so a session leasing it at this moment keeps it in the map
      byParticipant.computeIfPresent(key,
        (k, lease) -> lease.sessions <= 0 && lease.limiter.rested(nowNanos) ? null : lease);
    }
  }

  public int size() {
    return byParticipant.size();
  }

  /**
   * Participants that had something dropped in the last {@code windowNanos}, most recent first: who is being
   * limited right now, for the admin API.
   */
  public JsonArray limited(long nowNanos, long windowNanos) {
    JsonArray out = new JsonArray();
    byParticipant.values().stream()
      .filter(lease -> lease.limiter.droppedFrames() > 0 && nowNanos - lease.limiter.lastDropNanos() <= windowNanos)
      .sorted(Comparator.comparingLong(lease -> -lease.limiter.lastDropNanos()))
      .forEach(lease -> out.add(new JsonObject()
        .put("room", lease.room)
        .put("identity", lease.identity)
        .put("sessions", Math.max(0, lease.sessions))
        .put("droppedFrames", lease.limiter.droppedFrames())
        .put("droppedBytes", lease.limiter.droppedBytes())
        .put("lastDropMillisAgo", (nowNanos - lease.limiter.lastDropNanos()) / 1_000_000)));
    return out;
  }

  /** Room names cannot hold a NUL, so the pair is unambiguous. */
  private static String key(String room, String identity) {
    return room + '\0' + identity;
  }
}
