package io.switchboard.cluster;

import com.hazelcast.config.SerializerConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import io.switchboard.relay.policy.ClusterQuota;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * {@link ClusterQuota} on a Hazelcast map: owner → allocations per node. An Allocate is one entry processor on
 * the owner's partition (the limit holds cluster-wide, atomically); a release is another, sent without waiting.
 * Counts are kept per node so that a lost node's can be dropped: the oldest member purges them when a member
 * leaves, and a node starting under an id it had before clears what its earlier life left behind.
 */
public final class HazelcastClusterQuota implements ClusterQuota, ClusterMembership.Listener {

  private static final System.Logger LOG = System.getLogger(HazelcastClusterQuota.class.getName());
  public static final String MAP = "switchboard.turn.owners";
  private static final int FIRST_TYPE_ID = 7401;
  /** More nodes than any cluster has: a count beyond it is a corrupt or hostile stream. */
  private static final int MAX_NODES = 10_000;

  private final Vertx vertx;
  private final ClusterMembership membership;
  private final IMap<String, Map<String, Integer>> counts;
  private final String nodeId;
  private final int limit;

  public HazelcastClusterQuota(Vertx vertx, HazelcastInstance hazelcast, ClusterMembership membership, String nodeId,
                               int limit) {
    this.vertx = vertx;
    this.membership = membership;
    this.counts = hazelcast.getMap(MAP);
    this.nodeId = nodeId;
    this.limit = limit;
  }

  /** Clears what an earlier life of this node id left (a restart after a crash). Runs off the event loop. */
  public io.vertx.core.Future<Void> start() {
    return vertx.executeBlocking(() -> {
      counts.executeOnEntries(new Purge(Set.of(), nodeId));
      return null;
    });
  }

  @Override
  public CompletionStage<Boolean> tryAcquire(String owner) {
    return counts.submitToKey(owner, new Acquire(nodeId, limit));
  }

  @Override
  public void release(String owner) {
    counts.submitToKey(owner, new Release(nodeId)).whenCompleteAsync((ignored, failure) -> {
      if (failure != null) {
        LOG.log(System.Logger.Level.DEBUG, "cluster-wide TURN quota release failed: {0}", failure.toString());
      }
    }, HazelcastFutures.SAME_THREAD);
  }

  @Override
  public void trusted(String node) {
  }

  /** The oldest member drops the counts of nodes that are gone. */
  @Override
  public void left(String node) {
    if (membership.isOldest()) {
      Set<String> live = Set.copyOf(membership.liveNodes());
      vertx.executeBlocking(() -> counts.executeOnEntries(new Purge(live, null)))
        .onFailure(e -> LOG.log(System.Logger.Level.WARNING, "purging TURN counts failed: {0}", e.toString()));
    }
  }

  @Override
  public void merged() {
  }

  // ---- entry processors: deterministic, so they can run again on the backup ----

  /** One more allocation for the owner on {@code node}, unless the owner holds {@code limit} in the cluster. */
  record Acquire(String node, int limit) implements EntryProcessor<String, Map<String, Integer>, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, Map<String, Integer>> entry) {
      Map<String, Integer> byNode = entry.getValue() == null ? new HashMap<>() : new HashMap<>(entry.getValue());
      int total = byNode.values().stream().mapToInt(Integer::intValue).sum();
      if (total >= limit) {
        return false;
      }
      byNode.merge(node, 1, Integer::sum);
      entry.setValue(byNode);
      return true;
    }
  }

  /** One allocation fewer on {@code node}; an owner with none left leaves the map. */
  record Release(String node) implements EntryProcessor<String, Map<String, Integer>, Void> {
    @Override
    public Void process(Map.Entry<String, Map<String, Integer>> entry) {
      if (entry.getValue() == null || !entry.getValue().containsKey(node)) {
        return null;
      }
      Map<String, Integer> byNode = new HashMap<>(entry.getValue());
      byNode.computeIfPresent(node, (k, v) -> v <= 1 ? null : v - 1);
      entry.setValue(byNode.isEmpty() ? null : byNode);
      return null;
    }
  }

  /** Drops the counts of nodes not in {@code live} (when non-empty), and of {@code node} (when set). */
  record Purge(Set<String> live, String node) implements EntryProcessor<String, Map<String, Integer>, Void> {
    @Override
    public Void process(Map.Entry<String, Map<String, Integer>> entry) {
      if (entry.getValue() == null) {
        return null;
      }
      Map<String, Integer> byNode = new HashMap<>(entry.getValue());
      byNode.keySet().removeIf(n -> n.equals(node) || (!live.isEmpty() && !live.contains(n)));
      if (byNode.size() != entry.getValue().size()) {
        entry.setValue(byNode.isEmpty() ? null : byNode);
      }
      return null;
    }
  }

  // ---- serializers: these types never go through Java serialization ----

  /** One entry per type, for {@code SerializationConfig}. */
  public static List<SerializerConfig> serializers() {
    return List.of(
      config(Acquire.class, 0, (out, p) -> {
        out.writeString(p.node());
        out.writeInt(p.limit());
      }, in -> new Acquire(in.readString(), in.readInt())),
      config(Release.class, 1, (out, p) -> out.writeString(p.node()), in -> new Release(in.readString())),
      config(Purge.class, 2, (out, p) -> {
        writeStrings(out, p.live());
        out.writeString(p.node());
      }, in -> new Purge(readStrings(in), in.readString())));
  }

  private static <T> SerializerConfig config(Class<T> type, int offset, FieldSerializer.Writer<T> writer,
                                             FieldSerializer.Reader<T> reader) {
    return FieldSerializer.config(type, FIRST_TYPE_ID + offset, writer, reader);
  }

  private static void writeStrings(ObjectDataOutput out, Set<String> strings) throws IOException {
    out.writeInt(strings.size());
    for (String s : strings) {
      out.writeString(s);
    }
  }

  private static Set<String> readStrings(ObjectDataInput in) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > MAX_NODES) {
      throw new HazelcastSerializationException("node list of " + count + " entries refused");
    }
    Set<String> strings = new HashSet<>();
    for (int i = 0; i < count; i++) {
      strings.add(in.readString());
    }
    return Set.copyOf(strings);
  }
}
