package io.switchboard.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("HazelcastClusterQuota: the entry processors behind the cluster-wide TURN quota")
class HazelcastClusterQuotaTest {

  private static final class Entry extends AbstractMap.SimpleEntry<String, Map<String, Integer>> {
    Entry() {
      super("mallory", null);
    }
  }

  @Test
  @DisplayName("the limit counts every node's allocations of the owner; a release frees one; none left removes "
    + "the entry")
  void acquireAndRelease() {
    Entry entry = new Entry();
    assertTrue(new HazelcastClusterQuota.Acquire("n1", 3).process(entry));
    assertTrue(new HazelcastClusterQuota.Acquire("n1", 3).process(entry));
    assertTrue(new HazelcastClusterQuota.Acquire("n2", 3).process(entry));
    assertFalse(new HazelcastClusterQuota.Acquire("n3", 3).process(entry), "three in the cluster already");
    assertEquals(Map.of("n1", 2, "n2", 1), entry.getValue());
    new HazelcastClusterQuota.Release("n1").process(entry);
    assertTrue(new HazelcastClusterQuota.Acquire("n3", 3).process(entry));
    new HazelcastClusterQuota.Release("n9").process(entry);
    assertEquals(Map.of("n1", 1, "n2", 1, "n3", 1), entry.getValue(), "a release by a node with none is nothing");
    for (String node : new String[] {"n1", "n2", "n3"}) {
      new HazelcastClusterQuota.Release(node).process(entry);
    }
    assertNull(entry.getValue());
  }

  @Test
  @DisplayName("a purge drops nodes that are gone, or one node's earlier life")
  void purge() {
    Entry entry = new Entry();
    entry.setValue(Map.of("n1", 2, "n2", 1, "n3", 4));
    new HazelcastClusterQuota.Purge(Set.of("n1", "n2"), null).process(entry);
    assertEquals(Map.of("n1", 2, "n2", 1), entry.getValue());
    new HazelcastClusterQuota.Purge(Set.of(), "n1").process(entry);
    assertEquals(Map.of("n2", 1), entry.getValue());
    new HazelcastClusterQuota.Purge(Set.of("n1"), null).process(entry);
    assertNull(entry.getValue());
  }
}
