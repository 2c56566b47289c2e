package io.switchboard.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Several {@link NodeProcess}es forming one cluster on loopback. Hazelcast ports for {@code capacity} members
 * are reserved up front, so members can join later with the same member list.
 */
public final class ProcessCluster implements AutoCloseable {

  private final String name = TestNode.unique("cluster");
  private final List<Integer> hazelcastPorts = new ArrayList<>();
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final String members;

  private ProcessCluster(int capacity) {
    for (int i = 0; i < capacity; i++) {
      hazelcastPorts.add(TestPorts.freePort());
    }
    members = hazelcastPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  /** Starts {@code size} members (room for {@code capacity}) and waits until they see each other. */
  public static ProcessCluster start(int size, int capacity, Map<String, String> env) {
    ProcessCluster cluster = new ProcessCluster(capacity);
    try {
      for (int i = 0; i < size; i++) {
        cluster.launch(env);
      }
      for (NodeProcess node : cluster.nodes) {
        node.awaitHealthy(size, Duration.ofSeconds(90));
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Starts the next member (not waiting for it). */
  public NodeProcess launch(Map<String, String> extraEnv) {
    return launch("member-" + (nodes.size() + 1), extraEnv);
  }

  /** Starts the next member with its own certificate and environment (not waiting for it). */
  public NodeProcess launch(String certificate, Map<String, String> extraEnv) {
    int index = nodes.size();
    NodeProcess node = NodeProcess.start("n" + (index + 1) + "-" + name.substring(name.length() - 8), certificate,
      name, hazelcastPorts.get(index), members, extraEnv);
    nodes.add(node);
    return node;
  }

  /** The Hazelcast cluster name every member uses. */
  public String name() {
    return name;
  }

  /** {@code host:port} of every member's Hazelcast port, joined and to come. */
  public List<String> memberAddresses() {
    return List.of(members.split(","));
  }

  public NodeProcess node(int index) {
    return nodes.get(index);
  }

  public List<NodeProcess> nodes() {
    return nodes;
  }

  @Override
  public void close() {
    nodes.forEach(NodeProcess::close);
  }
}
