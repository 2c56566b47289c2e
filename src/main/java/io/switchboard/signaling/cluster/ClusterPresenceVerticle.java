package io.switchboard.signaling.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.switchboard.bus.Addresses;
import io.switchboard.cluster.ClusterMembership;
import io.switchboard.cluster.HazelcastFutures;
import io.switchboard.cluster.HazelcastSetup;
import io.switchboard.metrics.ClusterMetrics;
import io.switchboard.signaling.protocol.ServerFrames;
import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.room.Member;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.PresenceCommand;
import io.switchboard.signaling.room.Role;
import io.switchboard.signaling.room.Room;
import io.switchboard.signaling.room.SessionEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Room presence across the cluster. It answers the same {@link PresenceCommand}s as the single-node presence
 * verticle, so the edge does not know which one it talks to.
 *
 * <ul>
 *   <li>The truth about a room is its {@link RoomRecord} in the {@code switchboard.rooms} map. Joins, leaves
 *   and kicks are {@link RoomProcessors} run on the partition owning the room: the limit and identity
 *   replacement hold cluster-wide.</li>
 *   <li>The node that ran a change applies it to its own {@link RoomReplica} and sends it as a delta to every
 *   node holding members of the room. Each node applies deltas in version order; a gap that does not fill
 *   within {@link #GAP_WAIT_MS} makes it re-read the room from the map.</li>
 *   <li>Edges route frames through the replica's {@link Room}: a local member is its session, a remote one a
 *   {@link RemoteEndpoint}. No map is read per frame. Frames from other nodes arrive here too, behind the deltas
 *   sent before them, and are checked by {@link InboundFrames}.</li>
 *   <li>A lost member's sessions are removed from every replica as soon as Hazelcast reports the loss, and the
 *   oldest member purges them from the map. Only members {@link ClusterMembership} trusts count as live.</li>
 *   <li>Other members are not taken on trust: a delta is applied only when it comes from a live node and adds
 *   sessions of that node alone, and a member record (from a delta or the map) only when it is well formed.</li>
 * </ul>
 * Everything here runs on this verticle's event loop.
 */
public final class ClusterPresenceVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(ClusterPresenceVerticle.class.getName());
  static final long GAP_WAIT_MS = 500;
  private static final long DRAIN_ACK_MS = 2000;

  private final String nodeId;
  private final int maxParticipantsPerRoom;
  private final HazelcastInstance hazelcast;
  private final ClusterMembership membership;
  private final ClusterMetrics metrics;
  /** Admitted local sessions by id → the replica of their room. */
  private final Map<String, RoomReplica> localSessions = new HashMap<>();
  private final InboundFrames inbound;
  /** Written on this verticle's loop; concurrent only so that the room gauge can read its size. */
  private final Map<String, RoomReplica> replicas = new ConcurrentHashMap<>();
  /** Local sessions whose join is in flight, by id. */
  private final Map<String, SessionEndpoint> joining = new HashMap<>();
  /** Sessions that left (their join timed out at the edge) while their join was still in flight. */
  private final Set<String> cancelled = new HashSet<>();
  private final Map<String, NodeRoute> routes = new HashMap<>();
  private final Set<Future<?>> inFlight = new HashSet<>();
  private IMap<String, RoomRecord> rooms;
  private Set<String> liveNodes = Set.of();
  private Runnable stopListening = () -> { };
  private boolean draining;

  public ClusterPresenceVerticle(String nodeId, int maxParticipantsPerRoom, HazelcastInstance hazelcast,
                                 ClusterMembership membership, ClusterMetrics metrics) {
    this.nodeId = nodeId;
    this.maxParticipantsPerRoom = maxParticipantsPerRoom;
    this.hazelcast = hazelcast;
    this.membership = membership;
    this.metrics = metrics;
    this.inbound = new InboundFrames(localSessions, metrics);
  }

  /** Rooms this node holds sessions in (the room gauge); any thread. */
  public int roomCount() {
    return replicas.size();
  }

  @Override
  public Future<?> start() {
    rooms = hazelcast.getMap(HazelcastSetup.ROOMS_MAP);
    liveNodes = membership.liveNodes();
    PresenceCommand.registerCodecs(vertx.eventBus());
    stopListening = membership.listen(new ClusterMembership.Listener() {
      @Override
      public void trusted(String node) {
        context.runOnContext(v -> memberTrusted(node));
      }

      @Override
      public void left(String node) {
        context.runOnContext(v -> memberLost(node));
      }

      @Override
      public void merged() {
        context.runOnContext(v -> reconcileAfterMerge());
      }
    });
    Future<Void> commands = vertx.eventBus().<PresenceCommand>localConsumer(Addresses.PRESENCE, this::handle)
      .completion();
    // Deltas and frames from other nodes share this context: a node's delta is applied before the frames it
    // sent after it. Completion of a clustered consumer means every member can reach it.
    Future<Void> deltas = vertx.eventBus().consumer(Addresses.nodePresence(nodeId), this::onDelta).completion();
    Future<Void> frames = vertx.eventBus().consumer(Addresses.nodeFrames(nodeId), message -> inbound.receive(
      message.body())).completion();
    return Future.all(commands, deltas, frames);
  }

  /**
   * Graceful leave: waits for changes in flight, then removes every session still held here from the map
   * and makes sure the other nodes have applied that before this member leaves the cluster.
   */
  @Override
  public Future<?> stop() {
    draining = true;
    stopListening.run();
    return Future.join(new ArrayList<>(inFlight)).transform(ignored -> {
      List<Future<?>> removals = new ArrayList<>();
      for (RoomReplica replica : List.copyOf(replicas.values())) {
        if (!replica.admittedAt.isEmpty()) {
          removals.add(submit(replica.room.name(), new RoomProcessors.Reassert(nodeId, List.of(), Set.of(), 0))
            .compose(change -> publish(change, true)));
        }
      }
      return Future.join(removals);
    });
  }

  // ---- commands from this node's edges ----

  private void handle(Message<PresenceCommand> message) {
    PresenceCommand command = message.body();
    if (command instanceof PresenceCommand.Join join) {
      join(join.participant(), join.endpoint(), message);
    } else if (command instanceof PresenceCommand.Leave leave) {
      leave(leave.room(), leave.sessionId(), leave.reason()).onComplete(ar -> message.reply(null));
    } else if (command instanceof PresenceCommand.Kick kick) {
      reply(message, leave(kick.room(), kick.sessionId(), LeaveReason.KICKED).map(RoomChange::changed));
    } else if (command instanceof PresenceCommand.DescribeRoom describe) {
      reply(message, HazelcastFutures.on(rooms.getAsync(describe.room()), context)
        .map(record -> record == null ? null : describeRoom(describe.room(), record)));
    } else {
      reply(message, vertx.executeBlocking(() -> describeRooms(rooms.entrySet())));
    }
  }

  private void join(Participant participant, SessionEndpoint endpoint, Message<PresenceCommand> message) {
    if (draining) {
      message.fail(0, "node is shutting down");
      return;
    }
    RoomReplica replica = replicas.computeIfAbsent(participant.room(), RoomReplica::new);
    replica.pendingJoins++;
    joining.put(participant.id(), endpoint);
    MemberRecord record = MemberRecord.of(participant);
    submit(participant.room(), new RoomProcessors.Join(record, maxParticipantsPerRoom, newEpoch()))
      .onComplete(ar -> {
        replica.pendingJoins--;
        joining.remove(participant.id());
        if (cancelled.remove(participant.id()) && ar.succeeded() && !ar.result().refused()) {
          // admitted after the edge gave up: undo it instead of welcoming a closed session
          dropIfUnused(replica);
          submit(participant.room(), new RoomProcessors.Remove(participant.id(), LeaveReason.DISCONNECTED))
            .onSuccess(change -> publish(change, false));
          message.fail(0, "join cancelled");
          return;
        }
        if (ar.failed() || ar.result().refused()) {
          dropIfUnused(replica);
          if (ar.failed()) {
            LOG.log(System.Logger.Level.WARNING, "join in room {0} failed: {1}", participant.room(),
              ar.cause().toString());
            message.fail(0, "presence unavailable");
          } else {
            message.fail(PresenceCommand.ROOM_FULL, "room " + participant.room() + " is full ("
              + maxParticipantsPerRoom + " participants)");
          }
          return;
        }
        RoomChange change = ar.result();
        admit(replica, change, participant, endpoint);
        publish(change, false);
        message.reply(replica.room);
      });
  }

  /**
   * Brings the replica to the join's version, writes {@code welcome}, and only then makes the newcomer
   * routable and announces it here (the other nodes hear of it after this returns).
   */
  private void admit(RoomReplica replica, RoomChange change, Participant newcomer, SessionEndpoint endpoint) {
    if (replica.initialized() && replica.epoch == change.epoch() && replica.version == change.version() - 1) {
      for (MemberRecord left : change.left()) {
        removeMember(replica, left.id(), change.reason(), change.version());
      }
    } else {
      Map<String, LeaveReason> known = new HashMap<>();
      change.left().forEach(m -> known.put(m.id(), change.reason()));
      applySnapshot(replica, change.epoch(), change.version(), change.snapshot(), newcomer.id(), known);
    }
    endpoint.admitted(replica.room, replica.room.visibleTo(newcomer.role(), newcomer.id()));
    replica.room.add(new Member(newcomer, endpoint));
    replica.admittedAt.put(newcomer.id(), change.version());
    localSessions.put(newcomer.id(), replica);
    notifyLocal(replica, newcomer, ServerFrames.peerJoined(newcomer.peerJson()), change.version());
    replica.epoch = change.epoch();
    replica.version = change.version();
    drainBuffered(replica);
    inbound.flush(replica);
  }

  private Future<RoomChange> leave(String room, String sessionId, LeaveReason reason) {
    if (reason != LeaveReason.KICKED) {
      localSessions.remove(sessionId);
      if (joining.containsKey(sessionId)) {
        cancelled.add(sessionId);
      }
    }
    return submit(room, new RoomProcessors.Remove(sessionId, reason)).onSuccess(change -> {
      if (change.changed()) {
        publish(change, false);
      } else if (reason != LeaveReason.KICKED) {
        // Already gone from the map (replaced, kicked or purged) and usually from here too, by the delta that
        // said so. If that delta never comes, the session must still leave this node's replica, announced
        // like any leave (a no-op when the delta got here first).
        RoomReplica replica = replicas.get(room);
        if (replica != null) {
          removeMember(replica, sessionId, reason, Long.MAX_VALUE);
          dropIfUnused(replica);
        }
      }
    });
  }

  // ---- applying changes ----

  /** Applies a change here (through the version order) and sends it to the other nodes concerned. */
  private Future<?> publish(RoomChange change, boolean awaitAcks) {
    RoomReplica replica = replicas.get(change.room());
    if (replica != null) {
      offer(replica, change);
    }
    JsonObject delta = PresenceDelta.encode(nodeId, change);
    List<Future<?>> acks = new ArrayList<>();
    for (String node : change.audience()) {
      if (node.equals(nodeId) || !liveNodes.contains(node)) {
        continue;
      }
      if (awaitAcks) {
        acks.add(vertx.eventBus().request(Addresses.nodePresence(node), delta,
          new DeliveryOptions().setSendTimeout(DRAIN_ACK_MS)));
      } else {
        vertx.eventBus().send(Addresses.nodePresence(node), delta);
      }
    }
    return Future.join(acks);
  }

  private void onDelta(Message<Object> message) {
    PresenceDelta delta;
    try {
      delta = PresenceDelta.decode((JsonObject) message.body());
    } catch (RuntimeException e) {
      metrics.deltaRefused();
      LOG.log(System.Logger.Level.WARNING, "malformed presence delta dropped: {0}", e.toString());
      return;
    }
    RoomReplica replica = replicas.get(delta.change().room());
    String problem = liveNodes.contains(delta.sender()) ? delta.problem()
      : "node " + delta.sender() + " is not a trusted member";
    if (problem != null) {
      metrics.deltaRefused();
      LOG.log(System.Logger.Level.WARNING, "presence delta for room {0} refused: {1}", delta.change().room(), problem);
      if (replica != null && replica.initialized()) {
        resync(replica); // whatever it was meant to say, the map says what is true
      }
    } else if (replica != null) {
      offer(replica, delta.change());
    }
    if (message.replyAddress() != null) {
      message.reply(null);
    }
  }

  /** Applies a change in version order: now, later (buffered), or by re-reading the room. */
  private void offer(RoomReplica replica, RoomChange change) {
    if (!replica.initialized()) {
      buffer(replica, change); // a local join is in flight; its snapshot decides what is still needed
      return;
    }
    if (change.epoch() != replica.epoch) {
      resync(replica); // the room was emptied and created again, or a partition merged
      return;
    }
    if (change.version() <= replica.version) {
      return;
    }
    if (change.version() == replica.version + 1) {
      applyChange(replica, change);
      drainBuffered(replica);
      inbound.flush(replica);
      dropIfUnused(replica);
    } else {
      buffer(replica, change);
      context.owner().setTimer(GAP_WAIT_MS, id -> {
        if (replicas.get(replica.room.name()) == replica && !replica.buffered.isEmpty()
          && replica.buffered.firstKey() > replica.version + 1) {
          resync(replica);
        }
      });
    }
  }

  private void buffer(RoomReplica replica, RoomChange change) {
    if (replica.buffered.size() >= RoomReplica.MAX_BUFFERED) {
      replica.buffered.clear();
      resync(replica);
      return;
    }
    replica.buffered.put(change.version(), change);
  }

  private void drainBuffered(RoomReplica replica) {
    while (!replica.buffered.isEmpty()) {
      Map.Entry<Long, RoomChange> first = replica.buffered.firstEntry();
      RoomChange next = first.getValue();
      if (next.epoch() != replica.epoch || first.getKey() <= replica.version) {
        replica.buffered.pollFirstEntry();
      } else if (first.getKey() == replica.version + 1) {
        replica.buffered.pollFirstEntry();
        applyChange(replica, next);
      } else {
        return;
      }
    }
  }

  private void applyChange(RoomReplica replica, RoomChange change) {
    for (MemberRecord left : change.left()) {
      removeMember(replica, left.id(), change.reason(), change.version());
    }
    for (MemberRecord joined : change.joined()) {
      addMember(replica, joined, change.version());
    }
    replica.version = change.version();
  }

  /** Re-reads the room from the map and applies the difference to the replica. */
  private void resync(RoomReplica replica) {
    if (replica.resyncScheduled) {
      return;
    }
    replica.resyncScheduled = true;
    String name = replica.room.name();
    HazelcastFutures.on(rooms.getAsync(name), context).onComplete(ar -> {
      replica.resyncScheduled = false;
      if (ar.failed() || replicas.get(name) != replica) {
        return;
      }
      RoomRecord record = ar.result();
      List<MemberRecord> members = record == null ? List.of() : record.snapshot();
      applySnapshot(replica, record == null ? 0 : record.epoch, record == null ? 0 : record.version, members, null,
        Map.of());
      replica.buffered.headMap(replica.version, true).clear();
      drainBuffered(replica);
      inbound.flush(replica);
      if (replica.buffered.isEmpty()) {
        inbound.discard(replica); // no delta left that could introduce a waiting frame's sender
      }
      reassertMissing(replica, members);
      dropIfUnused(replica);
    });
  }

  /**
   * Makes the replica's remote members equal to {@code members}. Local sessions are the truth about
   * themselves and are not touched, except those the change itself removed ({@code known}).
   */
  private void applySnapshot(RoomReplica replica, long epoch, long version, List<MemberRecord> members,
                             String exceptId, Map<String, LeaveReason> known) {
    Map<String, MemberRecord> wanted = new HashMap<>();
    members.forEach(m -> wanted.put(m.id(), m));
    for (Member member : allMembers(replica.room)) {
      String id = member.participant().id();
      boolean remote = member.endpoint() instanceof RemoteEndpoint;
      if (known.containsKey(id)) {
        removeMember(replica, id, known.get(id), version);
      } else if (remote && !wanted.containsKey(id)) {
        LeaveReason reason = liveNodes.contains(member.participant().nodeId()) ? LeaveReason.DISCONNECTED
          : LeaveReason.NODE_LOST;
        removeMember(replica, id, reason, version);
      }
    }
    for (MemberRecord m : members) {
      if (!m.id().equals(exceptId)) {
        addMember(replica, m, version);
      }
    }
    replica.epoch = epoch;
    replica.version = version;
  }

  private void removeMember(RoomReplica replica, String sessionId, LeaveReason reason, long version) {
    Member leaving = replica.room.member(sessionId);
    if (leaving == null) {
      return;
    }
    // as on one node: peer-left is queued before the member stops being routable
    notifyLocal(replica, leaving.participant(), ServerFrames.peerLeft(sessionId, reason.wire()), version);
    Member removed = replica.room.remove(sessionId);
    if (!(removed.endpoint() instanceof RemoteEndpoint)) {
      replica.admittedAt.remove(sessionId);
      localSessions.remove(sessionId);
      if (reason == LeaveReason.REPLACED || reason == LeaveReason.KICKED) {
        removed.endpoint().evicted(reason);
      }
    }
  }

  private void addMember(RoomReplica replica, MemberRecord record, long version) {
    if (replica.room.member(record.id()) != null || !wellFormed(record, replica.room.name())) {
      return;
    }
    if (record.node().equals(nodeId) || !liveNodes.contains(record.node())) {
      return; // a session of ours we do not hold, or of a lost node: the map is cleaned of it separately
    }
    Participant participant = record.toParticipant(replica.room.name());
    NodeRoute route = routes.computeIfAbsent(record.node(), node -> new NodeRoute(vertx.eventBus(), nodeId, node));
    replica.room.add(new Member(participant, new RemoteEndpoint(route, record.id())));
    notifyLocal(replica, participant, ServerFrames.peerJoined(participant.peerJson()), version);
  }

  /**
   * Tells this node's sessions that see {@code subject} about it, except those admitted at or after
   * {@code version}: their {@code welcome} already reflected it.
   */
  private static void notifyLocal(RoomReplica replica, Participant subject, String frame, long version) {
    List<Member> observers = new ArrayList<>(replica.room.publishers());
    if (subject.role() == Role.PUBLISHER) {
      observers.addAll(replica.room.viewers());
    }
    for (Member member : observers) {
      Long admitted = replica.admittedAt.get(member.participant().id());
      if (admitted != null && admitted < version && !member.participant().id().equals(subject.id())) {
        member.endpoint().deliver(frame);
      }
    }
  }

  private static List<Member> allMembers(Room room) {
    List<Member> all = new ArrayList<>(room.publishers());
    all.addAll(room.viewers());
    return all;
  }

  private void dropIfUnused(RoomReplica replica) {
    if (replica.unused() && replicas.remove(replica.room.name(), replica)) {
      inbound.discard(replica);
    }
  }

  /** A member record from another node or the map, used only when it holds what a session could hold. */
  private boolean wellFormed(MemberRecord record, String room) {
    String problem = record.problem();
    if (problem == null) {
      return true;
    }
    metrics.recordRefused();
    LOG.log(System.Logger.Level.WARNING, "member record in room {0} ignored: {1}", room, problem);
    return false;
  }

  // ---- membership ----

  /**
   * A member passed the trust check: its sessions count from now on. Rooms are re-read, since deltas and map
   * entries of that node may have been passed over while it was not yet trusted.
   */
  private void memberTrusted(String node) {
    liveNodes = membership.liveNodes();
    LOG.log(System.Logger.Level.INFO, "cluster member {0} joined; {1} members", node, liveNodes.size());
    replicas.values().forEach(this::resync);
  }

  /** A member left or died: its sessions leave every replica now, and the map soon after. */
  private void memberLost(String node) {
    liveNodes = membership.liveNodes();
    if (liveNodes.contains(node)) {
      return; // a member that carried a taken id and left at once; the real owner is still here
    }
    routes.remove(node);
    int removed = 0;
    for (RoomReplica replica : List.copyOf(replicas.values())) {
      for (Member member : allMembers(replica.room)) {
        if (member.endpoint() instanceof RemoteEndpoint remote && remote.nodeId().equals(node)) {
          removeMember(replica, member.participant().id(), LeaveReason.NODE_LOST, Long.MAX_VALUE);
          removed++;
        }
      }
    }
    LOG.log(System.Logger.Level.INFO, "cluster member {0} left; {1} of its sessions removed here; {2} members",
      node, removed, liveNodes.size());
    if (membership.isOldest()) {
      purgeLostNodes();
    }
  }

  /** The oldest member removes sessions of nodes no longer in the cluster from the map. */
  private void purgeLostNodes() {
    Set<String> live = Set.copyOf(liveNodes);
    track(vertx.executeBlocking(() -> rooms.executeOnEntries(new RoomProcessors.Purge(live))))
      .onSuccess(changes -> changes.values().stream().filter(RoomChange::changed)
        .forEach(change -> publish(change, false)))
      .onFailure(e -> LOG.log(System.Logger.Level.WARNING, "purging lost members failed: {0}", e.toString()));
  }

  /**
   * This side of a healed partition merged into the other: re-assert what this node really holds, drop what
   * it does not, and re-read every room it holds sessions in.
   */
  private void reconcileAfterMerge() {
    liveNodes = membership.liveNodes();
    LOG.log(System.Logger.Level.INFO, "partition healed: re-asserting this node's sessions");
    Set<String> keep = new HashSet<>(localSessions.keySet());
    keep.addAll(joining.keySet());
    List<Future<?>> steps = new ArrayList<>();
    steps.add(track(vertx.executeBlocking(() -> rooms.executeOnEntries(
      new RoomProcessors.Reassert(nodeId, List.of(), Set.copyOf(keep), 0))))
      .onSuccess(changes -> changes.values().stream().filter(RoomChange::changed)
        .forEach(change -> publish(change, false))));
    for (RoomReplica replica : List.copyOf(replicas.values())) {
      steps.add(reassert(replica, Set.copyOf(keep)));
    }
    Future.join(steps).onComplete(ar -> {
      if (membership.isOldest()) {
        purgeLostNodes();
      }
      replicas.values().forEach(this::resync);
    });
  }

  /** After a re-read: local sessions missing from the map are put back. */
  private void reassertMissing(RoomReplica replica, List<MemberRecord> members) {
    Set<String> present = new HashSet<>();
    members.forEach(m -> present.add(m.id()));
    for (String local : replica.admittedAt.keySet()) {
      if (!present.contains(local)) {
        Set<String> keep = new HashSet<>(localSessions.keySet());
        keep.addAll(joining.keySet());
        reassert(replica, keep);
        return;
      }
    }
  }

  private Future<?> reassert(RoomReplica replica, Set<String> keep) {
    List<MemberRecord> held = new ArrayList<>();
    for (String id : replica.admittedAt.keySet()) {
      Member member = replica.room.member(id);
      if (member != null) {
        held.add(MemberRecord.of(member.participant()));
      }
    }
    if (held.isEmpty()) {
      return Future.succeededFuture();
    }
    return submit(replica.room.name(), new RoomProcessors.Reassert(nodeId, held, Set.copyOf(keep), newEpoch()))
      .onSuccess(change -> {
        if (change.changed()) {
          publish(change, false);
        }
      });
  }

  // ---- helpers ----

  private Future<RoomChange> submit(String room, com.hazelcast.map.EntryProcessor<String, RoomRecord, RoomChange> p) {
    return track(HazelcastFutures.on(rooms.submitToKey(room, p), context));
  }

  private <T> Future<T> track(Future<T> future) {
    inFlight.add(future);
    return future.onComplete(ar -> inFlight.remove(future));
  }

  private static long newEpoch() {
    long epoch;
    do {
      epoch = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    } while (epoch == 0);
    return epoch;
  }

  private static <T> void reply(Message<PresenceCommand> message, Future<T> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        message.fail(0, ar.cause().toString());
      }
    });
  }

  private JsonObject describeRoom(String name, RoomRecord record) {
    JsonArray participants = new JsonArray();
    for (MemberRecord m : record.snapshot()) {
      if (wellFormed(m, name)) {
        participants.add(m.toParticipant(name).peerObject().put("node", m.node()));
      }
    }
    return new JsonObject().put("room", name).put("participants", participants);
  }

  /** Runs on a worker thread: it iterates the whole map. */
  private JsonArray describeRooms(Set<Map.Entry<String, RoomRecord>> entries) {
    TreeMap<String, List<MemberRecord>> sorted = new TreeMap<>();
    entries.forEach(e -> sorted.put(e.getKey(), e.getValue().snapshot().stream()
      .filter(m -> wellFormed(m, e.getKey())).collect(Collectors.toList())));
    JsonArray list = new JsonArray();
    sorted.forEach((name, members) -> {
      long publishers = members.stream().filter(m -> m.role().equals(Role.PUBLISHER.wire())).count();
      list.add(new JsonObject().put("room", name).put("participants", members.size())
        .put("publishers", publishers).put("viewers", members.size() - publishers));
    });
    return list;
  }
}
