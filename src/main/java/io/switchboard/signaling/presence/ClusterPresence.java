package io.switchboard.signaling.presence;

import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.room.Member;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/**
 * What membership changes mean for presence; used in a cluster only (a single node's membership never changes).
 *
 * <ul>
 *   <li>A member is trusted: its sessions count from now on, and rooms are re-read, since its deltas and store
 *   entries may have been passed over while it was not yet trusted.</li>
 *   <li>A member is lost: its sessions enter their grace period. Each node keeps what its own participants send
 *   them in a {@link GraceBuffer}; the oldest member marks them in the store and times their end (they leave,
 *   announced as {@code node-lost}, unless resumed elsewhere first).</li>
 *   <li>A partition healed: this node re-asserts what it holds and drops what it does not.</li>
 * </ul>
 * Events arrive on any thread and are handled on the presence context.
 */
final class ClusterPresence implements ClusterView.Listener {

  private static final System.Logger LOG = System.getLogger(ClusterPresence.class.getName());

  private final Context context;
  private final PresenceEngine engine;
  private final ClusterView cluster;

  ClusterPresence(Context context, PresenceEngine engine, ClusterView cluster) {
    this.context = context;
    this.engine = engine;
    this.cluster = cluster;
  }

  @Override
  public void trusted(String node) {
    context.runOnContext(v -> {
      engine.liveNodes = cluster.liveNodes();
      LOG.log(System.Logger.Level.INFO, "cluster member {0} joined; {1} members", node, engine.liveNodes.size());
      engine.replicas.values().forEach(engine::resync);
    });
  }

  @Override
  public void left(String node) {
    context.runOnContext(v -> lost(node));
  }

  @Override
  public void merged() {
    context.runOnContext(v -> reconcileAfterMerge());
  }

  private void lost(String node) {
    engine.liveNodes = cluster.liveNodes();
    if (engine.liveNodes.contains(node)) {
      return; // a member that carried a taken id and left at once; the real owner is still here
    }
    engine.forgetRoute(node);
    engine.handovers.nodeLost(node);
    int waiting = 0;
    List<RoomReplica> touched = new ArrayList<>();
    for (RoomReplica replica : List.copyOf(engine.replicas.values())) {
      int before = waiting;
      for (Member member : replica.room.members()) {
        if (member.endpoint() instanceof RemoteEndpoint remote && remote.nodeId().equals(node)) {
          waiting += keepFor(replica, member, remote);
        }
      }
      if (waiting > before) {
        touched.add(replica);
      }
    }
    LOG.log(System.Logger.Level.INFO, "cluster member {0} left; {1} of its sessions wait here for a resume; {2} "
      + "members", node, waiting, engine.liveNodes.size());
    if (cluster.isOldest()) {
      purgeLostNodes();
    }
    // The store on this side may have lost the room with the member (a partition took every copy of its entry:
    // with one backup and three members, a lone member holds none a third of the time). Then no purge finds those
    // sessions and nobody would time their end: re-reading the room drops them at once as node-lost (nothing could
    // resume them without their record) and puts this node's own sessions back. Where the entry is still there,
    // the re-read changes nothing and the purge times their grace period as usual.
    touched.forEach(engine::resync);
  }

  /** A lost node's session: frames for it wait in a buffer, or it leaves at once when there is no grace period. */
  private int keepFor(RoomReplica replica, Member member, RemoteEndpoint remote) {
    String id = member.participant().id();
    if (engine.graceMillis() == 0) {
      engine.removeMember(replica, id, LeaveReason.NODE_LOST, Long.MAX_VALUE);
      return 0;
    }
    GraceBuffer buffer = engine.senderSideBuffer(replica.room.name(), id);
    remote.retire(buffer, () -> { });
    replica.room.add(new Member(member.participant(), buffer));
    return 1;
  }

  /** The oldest member moves the sessions of nodes no longer in the cluster into their grace period, and times it. */
  private void purgeLostNodes() {
    RoomOperation purge = new RoomOperations.Purge(engine.liveNodes, System.currentTimeMillis(), engine.graceMillis());
    engine.track(engine.store().applyToAll(purge)).onSuccess(changes -> {
      for (RoomChange change : changes) {
        if (change.changed()) {
          engine.publish(change);
        }
        change.graceEnds().forEach((id, until) -> engine.timers.schedule(change.room(), id, until));
      }
    }).onFailure(e -> LOG.log(System.Logger.Level.WARNING, "purging lost members failed: {0}", e.toString()));
  }

  /**
   * This side of a healed partition merged into the other: re-assert what this node really holds, drop what it
   * does not, and re-read every room it holds sessions in.
   */
  private void reconcileAfterMerge() {
    engine.liveNodes = cluster.liveNodes();
    LOG.log(System.Logger.Level.INFO, "partition healed: re-asserting this node's sessions");
    var keep = engine.heldSessions();
    List<Future<?>> steps = new ArrayList<>();
    RoomOperation dropStale = new RoomOperations.Reassert(engine.nodeId(), List.of(), keep, 0);
    steps.add(engine.track(engine.store().applyToAll(dropStale)).onSuccess(changes -> changes.stream()
      .filter(RoomChange::changed).forEach(engine::publish)));
    for (RoomReplica replica : List.copyOf(engine.replicas.values())) {
      steps.add(engine.reassert(replica, keep));
    }
    Future.join(steps).onComplete(ar -> {
      if (cluster.isOldest()) {
        purgeLostNodes();
      }
      engine.replicas.values().forEach(engine::resync);
    });
  }
}
