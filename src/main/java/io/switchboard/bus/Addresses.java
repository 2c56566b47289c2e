package io.switchboard.bus;

/**
 * Every event-bus address Switchboard uses, in one place. Presence commands never leave the node;
 * the per-node addresses carry presence deltas and frames between cluster members.
 */
public final class Addresses {

  /** Revoked TURN credentials, published to every relay instance of every node. */
  public static final String TURN_REVOCATIONS = "switchboard.turn.revocations";

  /** Room presence commands (join, leave, kick, queries), answered by the presence verticle. */
  public static final String PRESENCE = "switchboard.presence";

  /** Presence deltas for the rooms a node holds members of (clustered). */
  public static String nodePresence(String nodeId) {
    return "switchboard.node." + nodeId + ".presence";
  }

  /** A member that has just joined asks here whether this node trusts it yet (clustered). */
  public static String nodeMembership(String nodeId) {
    return "switchboard.node." + nodeId + ".membership";
  }

  /** Frames for a node's sessions, sent by other nodes (clustered). */
  public static String nodeFrames(String nodeId) {
    return "switchboard.node." + nodeId + ".frames";
  }

  private Addresses() {
  }
}
