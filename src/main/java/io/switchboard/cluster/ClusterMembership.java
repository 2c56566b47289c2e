package io.switchboard.signaling.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;

import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * This node's view of the Hazelcast members, by Switchboard node id (a member attribute). Reads are local:
 * Hazelcast keeps the member list on every member, so {@code /health} and presence never wait on the network.
 */
public final class ClusterMembership {

  /** Member attribute holding the Switchboard node id. */
  public static final String NODE_ATTRIBUTE = "switchboard.node";

  private final HazelcastInstance hazelcast;

  public ClusterMembership(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  public int memberCount() {
    return hazelcast.getLifecycleService().isRunning() ? hazelcast.getCluster().getMembers().size() : 0;
  }

  /** Node ids of the current members, this one included. */
  public Set<String> liveNodes() {
    Set<String> nodes = new TreeSet<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      String id = member.getAttribute(NODE_ATTRIBUTE);
      if (id != null) {
        nodes.add(id);
      }
    }
    return nodes;
  }

  /** The oldest member does the cluster's housekeeping (purging members of lost nodes). */
  public boolean isOldest() {
    Set<Member> members = hazelcast.getCluster().getMembers();
    return !members.isEmpty() && members.iterator().next().localMember();
  }

  /** Another member already carries this node id: two nodes would share event-bus addresses. */
  public boolean idTakenByAnother(String nodeId) {
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (!member.localMember() && nodeId.equals(member.getAttribute(NODE_ATTRIBUTE))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Calls back (on Hazelcast's event threads) with the node id of every member that joins or leaves, and
   * when this member's side of a healed partition has merged back.
   */
  public Runnable listen(Consumer<String> joined, Consumer<String> left, Runnable merged) {
    UUID membershipId = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        joined.accept(event.getMember().getAttribute(NODE_ATTRIBUTE));
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        left.accept(event.getMember().getAttribute(NODE_ATTRIBUTE));
      }
    });
    UUID lifecycleId = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        merged.run();
      }
    });
    return () -> {
      if (hazelcast.getLifecycleService().isRunning()) {
        hazelcast.getCluster().removeMembershipListener(membershipId);
        hazelcast.getLifecycleService().removeLifecycleListener(lifecycleId);
      }
    };
  }
}
