package io.switchboard;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.switchboard.cluster.ClusterMembership;
import io.switchboard.relay.policy.ServiceEndpoints;
import io.vertx.core.Promise;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Set;

/**
 * Keeps the relay's {@link ServiceEndpoints} in step with the trusted members: the listeners each member
 * announces ({@link NodeListeners#ATTRIBUTE}), its Hazelcast address, and its event-bus address from Vert.x's
 * node directory (which knows the port even when the member picked a free one).
 */
final class MemberListeners implements ClusterMembership.Listener {

  private static final String VERTX_NODE_ATTRIBUTE = "__vertx.nodeId";

  private final HazelcastInstance hazelcast;
  private final ClusterManager clusterManager;
  private final ServiceEndpoints endpoints;

  MemberListeners(HazelcastInstance hazelcast, ClusterManager clusterManager, ServiceEndpoints endpoints) {
    this.hazelcast = hazelcast;
    this.clusterManager = clusterManager;
    this.endpoints = endpoints;
  }

  @Override
  public void trusted(String nodeId) {
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (!member.localMember() && nodeId.equals(member.getAttribute(ClusterMembership.NODE_ATTRIBUTE))) {
        Set<InetSocketAddress> listeners = new HashSet<>(NodeListeners.parse(
          member.getAttribute(NodeListeners.ATTRIBUTE)));
        try {
          listeners.add(new InetSocketAddress(member.getAddress().getInetAddress(), member.getAddress().getPort()));
        } catch (UnknownHostException e) {
          // a member address that does not resolve: its announced listeners still count
        }
        endpoints.member(nodeId, Set.copyOf(listeners));
        addEventBus(nodeId, member.getAttribute(VERTX_NODE_ATTRIBUTE), listeners);
      }
    }
  }

  private void addEventBus(String nodeId, String vertxNode, Set<InetSocketAddress> listeners) {
    if (vertxNode == null) {
      return;
    }
    Promise<NodeInfo> found = Promise.promise();
    clusterManager.getNodeInfo(vertxNode, found);
    found.future().onSuccess(info -> {
      Set<InetSocketAddress> withBus = new HashSet<>(listeners);
      withBus.add(new InetSocketAddress(info.host(), info.port()));
      endpoints.member(nodeId, Set.copyOf(withBus));
    });
  }

  @Override
  public void left(String nodeId) {
    endpoints.memberGone(nodeId);
  }

  @Override
  public void merged() {
    // members come back through trusted()
  }
}
