package io.switchboard.testing;

import com.hazelcast.partition.PartitionService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * N clustered nodes in this JVM: each its own Vert.x and Hazelcast member on loopback, with a cluster name
 * and member ports no other test uses, and event-bus TLS with certificates of the test CA, as in production.
 * For tests where a process boundary is not the point. Overrides win over the cluster settings made here.
 * {@link #start} returns once Hazelcast has finished moving partitions to the new members: a test of what
 * happens once, such as a webhook event, is not to see the duplicates a migration may make (see webhooks.md).
 */
public final class TestCluster implements AutoCloseable {

  private static final long SETTLE_TIMEOUT_NANOS = 60_000_000_000L;

  private final List<TestNode> nodes = new ArrayList<>();
  private String name;
  private JsonArray members;

  private TestCluster() {
  }

  /**
   * Starts one more member of {@code cluster} (on a fresh port the others do not list, so it finds them
   * through their ports) with {@code overrides}; the caller closes it.
   */
  public static TestNode join(TestCluster cluster, JsonObject overrides) {
    int port = TestPorts.freePort();
    JsonObject clustered = new JsonObject().put("cluster", new JsonObject().put("enabled", true)
      .put("name", cluster.name).put("host", "127.0.0.1").put("port", port)
      .put("members", cluster.members.copy().add("127.0.0.1:" + port))
      .put("tls", TestCertificates.cluster().member("member-joining").tlsJson()));
    return TestNode.start(clustered.mergeIn(overrides, true));
  }

  public static TestCluster start(int size, JsonObject overrides) {
    String name = TestNode.unique("cluster");
    List<Integer> ports = new ArrayList<>();
    JsonArray members = new JsonArray();
    for (int i = 0; i < size; i++) {
      int port = TestPorts.freePort();
      ports.add(port);
      members.add("127.0.0.1:" + port);
    }
    TestCluster cluster = new TestCluster();
    cluster.name = name;
    cluster.members = members;
    try {
      for (int i = 0; i < size; i++) {
        JsonObject clustered = new JsonObject().put("cluster", new JsonObject()
          .put("enabled", true).put("name", name).put("host", "127.0.0.1").put("port", ports.get(i))
          .put("members", members).put("tls", TestCertificates.cluster().member("member-" + (i + 1)).tlsJson()));
        cluster.nodes.add(TestNode.start(clustered.mergeIn(overrides, true)));
      }
      cluster.awaitPartitionsSettled();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Waits until no partition of the cluster is migrating and every backup is in place. */
  private void awaitPartitionsSettled() {
    PartitionService partitions = nodes.get(0).hazelcast().getPartitionService();
    long deadline = System.nanoTime() + SETTLE_TIMEOUT_NANOS;
    while (!partitions.isClusterSafe()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the test cluster's partitions did not settle within 60 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  public TestNode node(int index) {
    return nodes.get(index);
  }

  public int size() {
    return nodes.size();
  }

  @Override
  public void close() {
    for (TestNode node : nodes) {
      try {
        node.close();
      } catch (Exception e) {
        // keep closing the others
      }
    }
    nodes.clear();
  }
}
