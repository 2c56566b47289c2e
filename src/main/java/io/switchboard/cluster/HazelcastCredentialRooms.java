package io.switchboard.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.switchboard.relay.usage.CredentialRooms;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * {@link CredentialRooms} of a cluster: a Hazelcast map username → room, so a relay on any member finds the room of
 * a credential another member issued. Each entry expires with its credential (a per-entry TTL); the map is also
 * capped per member ({@link #MAX_PER_MEMBER}, least recently used evicted), so a flood of issued credentials cannot
 * exhaust memory.
 */
public final class HazelcastCredentialRooms implements CredentialRooms {

  private static final System.Logger LOG = System.getLogger(HazelcastCredentialRooms.class.getName());
  public static final String MAP = "switchboard.turn.credentialRooms";
  /** Entries each member holds at most (primary partitions). */
  public static final int MAX_PER_MEMBER = 100_000;

  private final IMap<String, String> rooms;
  private final Clock clock;

  public HazelcastCredentialRooms(HazelcastInstance hazelcast, Clock clock) {
    this.rooms = hazelcast.getMap(MAP);
    this.clock = clock;
  }

  /** The map's bound, set where the member's configuration is built. */
  static void configure(Config config) {
    config.getMapConfig(MAP).setBackupCount(1).setEvictionConfig(new EvictionConfig()
      .setEvictionPolicy(EvictionPolicy.LRU).setMaxSizePolicy(MaxSizePolicy.PER_NODE).setSize(MAX_PER_MEMBER));
  }

  @Override
  public Future<Void> bind(String username, String room, long expiresAtEpochSeconds) {
    long ttl = expiresAtEpochSeconds + SKEW_SECONDS - clock.millis() / 1000;
    if (!CredentialRooms.bindable(username) || room == null || ttl <= 0) {
      return Future.succeededFuture();
    }
    Context context = Vertx.currentContext();
    Promise<Void> recorded = Promise.promise();
    rooms.setAsync(username, room, ttl, TimeUnit.SECONDS).whenCompleteAsync((ignored, failure) -> {
      if (failure != null) {
        LOG.log(System.Logger.Level.WARNING, "room of a TURN credential not recorded: {0}", failure.toString());
      }
      if (context == null) {
        recorded.complete();
      } else {
        context.runOnContext(v -> recorded.complete());
      }
    }, HazelcastFutures.SAME_THREAD);
    return recorded.future();
  }

  @Override
  public Future<String> room(String username, Context context) {
    return HazelcastFutures.on(rooms.getAsync(username), context);
  }
}
