package io.switchboard.bus;

/**
 * Every event-bus address Switchboard uses, in one place. Presence commands never leave the node;
 * the per-node addresses carry presence deltas and frames between cluster members.
 */
public final class Addresses {

  /** Revoked TURN credentials, published to every relay instance of every node. */
  public static final String TURN_REVOCATIONS = "switchboard.turn.revocations";

  /**
   * Everything one node's presence sends another (clustered): presence deltas, frames for its sessions and the
   * handover of resumed sessions. One address, so that all of it arrives in the order it was sent.
   */
  public static String nodePresence(String nodeId) {
    return "switchboard.node." + nodeId + ".presence";
  }

  /** A member that has just joined asks here whether this node trusts it yet (clustered). */
  public static String nodeMembership(String nodeId) {
    return "switchboard.node." + nodeId + ".membership";
  }

  /** A node's TURN usage of one room, asked by the node answering a cluster-wide usage query (clustered). */
  public static String nodeTurnUsage(String nodeId) {
    return "switchboard.node." + nodeId + ".turnUsage";
  }

  private Addresses() {
  }
}
