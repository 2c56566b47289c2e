package io.switchboard.testing.netns;

import io.switchboard.testing.TestCertificates;
import io.switchboard.testing.TestNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A Switchboard cluster whose members are separate hosts of a {@link NetnsRig}: each member alone in its namespace,
 * Hazelcast and the event bus bound to that host's own address (cluster.host, never a wildcard), members found
 * through an explicit list, and event-bus mutual TLS with certificates that name each member's address.
 */
public final class NetnsCluster implements AutoCloseable {

  private static final int HAZELCAST_PORT = 5701;

  private final List<NetnsNode> members = new ArrayList<>();

  private NetnsCluster() {
  }

  /** Starts one member on each of node hosts 1..{@code size} and waits until each sees all of them. */
  public static NetnsCluster start(NetnsRig rig, int size, Map<String, String> extraEnv) {
    String name = TestNode.unique("netns");
    String memberList = IntStream.rangeClosed(1, size).mapToObj(i -> rig.nodeAddress(i) + ":" + HAZELCAST_PORT)
      .collect(Collectors.joining(","));
    NetnsCluster cluster = new NetnsCluster();
    try {
      for (int i = 1; i <= size; i++) {
        Map<String, String> env = NetnsNode.environment(rig, i, 8080);
        env.put("SWITCHBOARD_CLUSTER_NAME", name);
        env.put("SWITCHBOARD_CLUSTER_HOST", rig.nodeAddress(i));
        env.put("SWITCHBOARD_CLUSTER_PORT", Integer.toString(HAZELCAST_PORT));
        env.put("SWITCHBOARD_CLUSTER_MEMBERS", memberList);
        env.putAll(TestCertificates.cluster().member("netns-" + rig.prefix() + "-member" + i,
          List.of(rig.nodeAddress(i))).env());
        env.putAll(extraEnv);
        cluster.members.add(NetnsNode.start(rig, i, env, true));
      }
      for (NetnsNode member : cluster.members) {
        member.awaitHealthy(size, Duration.ofSeconds(90));
      }
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Member {@code index}, from 1 like the rig's node hosts. */
  public NetnsNode member(int index) {
    return members.get(index - 1);
  }

  @Override
  public void close() {
    members.forEach(NetnsNode::close);
  }
}
