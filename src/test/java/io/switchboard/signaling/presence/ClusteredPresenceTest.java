package io.switchboard.signaling.presence;

import io.switchboard.testing.TestCluster;
import io.switchboard.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Presence over the Hazelcast room store: two clustered nodes in one JVM")
class ClusteredPresenceTest extends PresenceSuite {

  @Override
  protected Nodes start(JsonObject overrides) {
    TestCluster cluster = TestCluster.start(2, settings().mergeIn(overrides, true));
    return new Nodes() {
      @Override
      public TestNode node(int index) {
        return cluster.node(index % cluster.size());
      }

      @Override
      public void close() {
        cluster.close();
      }
    };
  }
}
