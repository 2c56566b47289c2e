package io.switchboard.signaling.presence;

import io.switchboard.LogField;
import io.switchboard.metrics.PresenceMetrics;
import io.switchboard.signaling.presence.RoomChange.Departure;
import io.switchboard.signaling.presence.RoomChange.Moved;
import io.switchboard.signaling.presence.RoomChange.Refusal;
import io.switchboard.signaling.protocol.ServerFrames;
import io.switchboard.signaling.room.IdentityTakenException;
import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.room.Member;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.ResumeFailedException;
import io.switchboard.signaling.room.Role;
import io.switchboard.signaling.room.Room;
import io.switchboard.signaling.room.RoomFullException;
import io.switchboard.signaling.room.SessionEndpoint;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Room presence on this node, the same on a single node and in a cluster (a single node is a cluster of one).
 *
 * <ul>
 *   <li>The truth about a room is its {@link RoomRecord} in the {@link RoomStore}. Every change is a
 *   {@link RoomOperation} the store runs atomically: the room limit, identity replacement and resume hold
 *   wherever the participants are.</li>
 *   <li>The node that ran a change applies it to its own {@link RoomReplica} and sends it as a delta to every
 *   node holding members of the room; each applies changes in version order ({@link DeltaSequencer}), or re-reads
 *   the room from the store when it cannot.</li>
 *   <li>Edges route frames through the replica's {@link Room}: a local member is its session, a remote one a
 *   {@link RemoteEndpoint}. No store is read per frame.</li>
 *   <li>A session whose connection drops waits in its grace period behind a {@link GraceBuffer}; a resume on
 *   any node moves it there ({@link Handovers}), nobody else hearing of it.</li>
 * </ul>
 * Everything here runs on the presence verticle's event loop.
 */
final class PresenceEngine {

  private static final System.Logger LOG = System.getLogger(PresenceEngine.class.getName());
  static final long GAP_WAIT_MS = 500;
  private static final long DRAIN_ACK_MS = 2000;
  private static final long DRAIN_POLL_MS = 100;

  private final Context context;
  private final PresenceSettings settings;
  private final String nodeId;
  private final RoomStore store;
  private final PresenceMetrics metrics;
  private final GraceStats graceStats;
  /** Written on this loop; concurrent only so that the room gauge can read its size. */
  final Map<String, RoomReplica> replicas = new ConcurrentHashMap<>();
  /** Sessions held here (connected or in their grace period) by id → the replica of their room. */
  final Map<String, RoomReplica> localSessions = new HashMap<>();
  /** Local sessions whose join is in flight, by id. */
  private final Map<String, SessionEndpoint> joining = new HashMap<>();
  /** Resume-token hashes of the sessions held here: a session re-asserted after a partition keeps its token. */
  private final Map<String, String> resumeHashes = new HashMap<>();
  /** Sessions that left while their join was still in flight. */
  private final Set<String> cancelled = new HashSet<>();
  private final Map<String, NodeRoute> routes = new HashMap<>();
  private final Set<Future<?>> inFlight = new HashSet<>();
  final GraceTimers timers;
  final InboundFrames inbound;
  final Handovers handovers;
  Set<String> liveNodes;
  private boolean draining;

  PresenceEngine(Context context, PresenceSettings settings, RoomStore store, Set<String> liveNodes,
                 PresenceMetrics metrics, GraceStats graceStats) {
    this.context = context;
    this.settings = settings;
    this.nodeId = settings.nodeId();
    this.store = store;
    this.liveNodes = Set.copyOf(liveNodes);
    this.metrics = metrics;
    this.graceStats = graceStats;
    this.timers = new GraceTimers(context.owner(), this::expire);
    this.inbound = new InboundFrames(localSessions, metrics);
    this.handovers = new Handovers(context.owner(), nodeId, this::route, node -> this.liveNodes.contains(node),
      localSessions::get, inbound, metrics);
    inbound.forwardMovedThrough(handovers::forward);
  }

  // ---- commands from this node's edges ----

  Future<Room> join(Participant newcomer, String resumeHash, SessionEndpoint endpoint) {
    if (draining) {
      return Future.failedFuture("node is shutting down");
    }
    RoomReplica replica = replica(newcomer.room());
    replica.pendingJoins++;
    joining.put(newcomer.id(), endpoint);
    Seat seat = Seat.connected(MemberRecord.of(newcomer), resumeHash);
    RoomOperation join = new RoomOperations.Join(seat, settings.maxParticipantsPerRoom(),
      settings.duplicateIdentity(), newEpoch());
    return submit(newcomer.room(), join).transform(ar -> {
      replica.pendingJoins--;
      joining.remove(newcomer.id());
      if (cancelled.remove(newcomer.id()) && ar.succeeded() && !ar.result().refused()) {
        // admitted after the session gave up: undo it instead of welcoming a closed session
        dropIfUnused(replica);
        submit(newcomer.room(), new RoomOperations.Remove(newcomer.id(), LeaveReason.DISCONNECTED, nodeId))
          .onSuccess(this::publishIfChanged);
        return Future.failedFuture("join cancelled");
      }
      if (ar.failed() || ar.result().refused()) {
        dropIfUnused(replica);
        return Future.failedFuture(ar.failed() ? unavailable(newcomer.room(), ar.cause())
          : joinRefusal(newcomer.room(), ar.result().refusal()));
      }
      RoomChange change = ar.result();
      admit(replica, change, newcomer, endpoint);
      rememberResumeHash(newcomer.id(), resumeHash);
      publish(change);
      return Future.succeededFuture(replica.room);
    });
  }

  private Throwable joinRefusal(String room, Refusal refusal) {
    return refusal == Refusal.IDENTITY_TAKEN ? new IdentityTakenException(room)
      : new RoomFullException(room, settings.maxParticipantsPerRoom());
  }

  private static Throwable unavailable(String room, Throwable cause) {
    LOG.log(System.Logger.Level.WARNING, "presence change in room {0} failed: {1}", LogField.room(room),
      cause.toString());
    return new IllegalStateException("presence unavailable");
  }

  /**
   * Resumes the session {@code asked} names on this node ({@code presentedHash} null: the token was malformed).
   * Honoured, it keeps its id and its place in the room, and what was buffered for it follows its
   * {@code welcome}; nobody else is told.
   */
  Future<Room> resume(Participant asked, String presentedHash, String newResumeHash, SessionEndpoint endpoint) {
    if (presentedHash == null) {
      return resumeFailed(ResumeFailedException.Reason.MALFORMED);
    }
    if (draining || settings.graceMillis() == 0) {
      return resumeFailed(draining ? ResumeFailedException.Reason.UNAVAILABLE
        : ResumeFailedException.Reason.UNKNOWN_SESSION);
    }
    RoomReplica replica = replica(asked.room());
    replica.pendingJoins++;
    RoomOperation resume = new RoomOperations.Resume(asked.id(), asked.identity(), presentedHash, nodeId,
      newResumeHash, System.currentTimeMillis());
    return submit(asked.room(), resume).transform(ar -> {
      replica.pendingJoins--;
      if (ar.failed()) {
        dropIfUnused(replica);
        unavailable(asked.room(), ar.cause());
        return resumeFailed(ResumeFailedException.Reason.UNAVAILABLE);
      }
      RoomChange change = ar.result();
      if (change.refused()) {
        publishIfChanged(change); // a session that overflowed or expired was removed on the way
        dropIfUnused(replica);
        return resumeFailed(resumeRefusal(change.refusal()));
      }
      Moved moved = change.moved().get(0);
      admitResumed(replica, change, moved.member().toParticipant(asked.room()), moved.from(), endpoint);
      rememberResumeHash(asked.id(), newResumeHash);
      publish(change);
      metrics.resumed();
      return Future.succeededFuture(replica.room);
    });
  }

  private void rememberResumeHash(String sessionId, String hash) {
    if (hash != null) {
      resumeHashes.put(sessionId, hash);
    }
  }

  private Future<Room> resumeFailed(ResumeFailedException.Reason reason) {
    metrics.resumeFailed(reason.tag());
    return Future.failedFuture(new ResumeFailedException(reason));
  }

  private static ResumeFailedException.Reason resumeRefusal(Refusal refusal) {
    return switch (refusal) {
      case OTHER_IDENTITY -> ResumeFailedException.Reason.OTHER_IDENTITY;
      case EXPIRED -> ResumeFailedException.Reason.EXPIRED;
      case OVERFLOWED -> ResumeFailedException.Reason.OVERFLOWED;
      default -> ResumeFailedException.Reason.UNKNOWN_SESSION;
    };
  }

  /** A session ends for good: a leave, or the server closed it (policy). Ignored from a connection replaced since. */
  Future<Void> leave(String room, String sessionId, LeaveReason reason, SessionEndpoint endpoint) {
    RoomReplica replica = replicas.get(room);
    Member member = replica == null ? null : replica.room.member(sessionId);
    if (endpoint != null && member != null && !reaches(member.endpoint(), endpoint)) {
      return Future.succeededFuture();
    }
    if (endpoint != null && joining.get(sessionId) == endpoint) {
      cancelled.add(sessionId);
    }
    return submit(room, new RoomOperations.Remove(sessionId, reason, nodeId)).onSuccess(change -> {
      if (change.changed()) {
        publish(change);
      } else {
        // Already gone from the store (replaced, kicked or purged) and usually from here too, by the change that
        // said so. If that change never comes, the session must still leave this node's replica.
        removeLocally(room, sessionId, reason);
      }
    }).mapEmpty();
  }

  private void removeLocally(String room, String sessionId, LeaveReason reason) {
    RoomReplica replica = replicas.get(room);
    if (replica != null && replica.admittedAt.containsKey(sessionId)) {
      removeMember(replica, sessionId, reason, Long.MAX_VALUE);
      dropIfUnused(replica);
    }
  }

  /**
   * A session's connection is gone without a leave: a grace buffer takes its place and the store marks it as
   * waiting, nobody being told. Without a grace period (or on a node shutting down alone) it leaves at once.
   */
  Future<Void> suspend(String room, String sessionId, LeaveReason reason, SessionEndpoint endpoint) {
    RoomReplica replica = localSessions.get(sessionId);
    Member member = replica == null ? null : replica.room.member(sessionId);
    if (member == null || !reaches(member.endpoint(), endpoint)) {
      return Future.succeededFuture();
    }
    if (settings.graceMillis() == 0 || draining && alone()) {
      return leave(room, sessionId, LeaveReason.DISCONNECTED, endpoint);
    }
    GraceBuffer buffer = new GraceBuffer(settings.bufferFrames(), settings.bufferBytes(), endpoint.whileDisconnected(),
      () -> context.runOnContext(v -> overflowed(room, sessionId)), graceStats);
    if (member.endpoint() instanceof HandoverGate gate) {
      gate.redirect(buffer); // the gate goes on putting what arrives in order, now into the buffer
    } else {
      endpoint.replacedBy(buffer);
      replica.room.add(new Member(member.participant(), buffer));
    }
    long until = System.currentTimeMillis() + settings.graceMillis();
    // timed even if the store refuses or fails: when it is due, whatever the store says decides
    timers.schedule(room, sessionId, until);
    return submit(room, new RoomOperations.Suspend(sessionId, nodeId, reason, until)).mapEmpty();
  }

  /** Whether {@code current}, the endpoint a room routes to, is {@code endpoint} or a gate in front of it. */
  private static boolean reaches(SessionEndpoint current, SessionEndpoint endpoint) {
    return current == endpoint || current instanceof HandoverGate gate && gate.downstream() == endpoint;
  }

  Future<Boolean> kick(String room, String sessionId) {
    return submit(room, new RoomOperations.Remove(sessionId, LeaveReason.KICKED, null)).map(change -> {
      publishIfChanged(change);
      return change.changed();
    });
  }

  Future<JsonObject> describeRoom(String room) {
    return store.read(room).map(record -> record == null ? null : AdminViews.room(room, record, this::wellFormed));
  }

  Future<JsonArray> describeRooms() {
    return store.readAll().map(records -> AdminViews.rooms(records, this::wellFormed));
  }

  // ---- grace periods ----

  /** A grace period is due: the store decides whether it is over (then everyone is told) or runs on. */
  private void expire(String room, String sessionId) {
    submit(room, new RoomOperations.Expire(sessionId, System.currentTimeMillis())).onSuccess(change -> {
      if (change.changed()) {
        publish(change);
      } else if (change.refusal() == Refusal.UNKNOWN_SESSION && isWaitingHere(room, sessionId)) {
        removeLocally(room, sessionId, LeaveReason.DISCONNECTED); // the store lost it: so does this node
      }
      change.graceEnds().forEach((id, until) -> timers.schedule(room, id, until));
    });
  }

  /** This node holds the session and it waits for a resume (a grace buffer stands in for it). */
  private boolean isWaitingHere(String room, String sessionId) {
    RoomReplica replica = replicas.get(room);
    Member member = replica == null ? null : replica.room.member(sessionId);
    return member != null && replica.admittedAt.containsKey(sessionId) && member.endpoint() instanceof GraceBuffer;
  }

  /** Frames for a session in its grace period were dropped: the store remembers, so no resume is honoured. */
  private void overflowed(String room, String sessionId) {
    LOG.log(System.Logger.Level.INFO, "grace buffer of session {0} in room {1} overflowed: it cannot be resumed",
      LogField.session(sessionId), LogField.room(room));
    submit(room, new RoomOperations.MarkOverflow(sessionId));
  }

  // ---- applying changes ----

  /**
   * Brings the replica to the join's version, writes {@code welcome}, and only then makes the newcomer routable
   * and announces it here (the other nodes hear of it after this returns).
   */
  private void admit(RoomReplica replica, RoomChange change, Participant newcomer, SessionEndpoint endpoint) {
    bringUpTo(replica, change, newcomer.id());
    endpoint.admitted(replica.room, newcomer, replica.room.visibleTo(newcomer.role(), newcomer.id()), false);
    replica.room.add(new Member(newcomer, endpoint));
    replica.admittedAt.put(newcomer.id(), change.version());
    localSessions.put(newcomer.id(), replica);
    notifyLocal(replica, newcomer, ServerFrames.peerJoined(newcomer.peerJson()), change.version());
    afterApplied(replica);
  }

  /**
   * Takes over a session resumed here: {@code welcome} first, then what was kept for it. From this node's own
   * grace buffer that is immediate; from another node it comes through a {@link HandoverGate}.
   */
  private void admitResumed(RoomReplica replica, RoomChange change, Participant self, String previous,
                            SessionEndpoint endpoint) {
    String id = self.id();
    bringUpTo(replica, change, id);
    Member current = replica.room.member(id);
    SessionEndpoint old = current == null ? null : current.endpoint();
    endpoint.admitted(replica.room, self, replica.room.visibleTo(self.role(), id), true);
    timers.cancel(id); // this node may have timed it too: its own, or (the oldest member) a lost node's
    if (previous.equals(nodeId)) {
      if (old != null) {
        old.replacedBy(endpoint); // a grace buffer, or a connection whose drop this node had not noticed yet
      }
      handovers.forget(id);
      replica.room.add(new Member(self, endpoint));
    } else {
      HandoverGate gate = handovers.gate(replica, id, endpoint, previous, change.audience());
      SessionEndpoint route = gate.isOpen() ? endpoint : gate;
      Runnable switched = () -> handovers.sendSwitched(replica.room.name(), id, previous);
      if (old instanceof RemoteEndpoint remote) {
        remote.retire(route, switched);
      } else {
        if (old instanceof GraceBuffer buffer) {
          buffer.flushTo(route); // what this node kept while the session's node was lost
        }
        switched.run();
      }
      replica.room.add(new Member(self, route));
    }
    replica.admittedAt.put(id, change.version());
    localSessions.put(id, replica);
    afterApplied(replica);
  }

  /**
   * The replica reflects everything before {@code change} and {@code change} itself, except for {@code except}.
   * A replica that is past it already stays as it is: the store may answer two operations in the other order
   * than it ran them, and the older snapshot would undo the newer (a session resumed here taken for one still
   * on its lost node, and handed over there).
   */
  private void bringUpTo(RoomReplica replica, RoomChange change, String except) {
    if (replica.sequencer.covers(change)) {
      return;
    }
    if (replica.sequencer.follows(change)) {
      applyChange(replica, change, except);
    } else {
      Map<String, LeaveReason> known = new HashMap<>();
      change.left().forEach(d -> known.put(d.member().id(), d.reason()));
      applySnapshot(replica, change.epoch(), change.version(), change.snapshot(), except, known);
    }
  }

  /** Applies this node's own change here (through the version order) and sends it to the other nodes concerned. */
  void publish(RoomChange change) {
    publish(change, false);
  }

  private void publishIfChanged(RoomChange change) {
    if (change.changed()) {
      publish(change);
    }
  }

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
        acks.add(context.owner().eventBus().request(io.switchboard.bus.Addresses.nodePresence(node), delta,
          new DeliveryOptions().setSendTimeout(DRAIN_ACK_MS)));
      } else {
        route(node).control(delta);
      }
    }
    return Future.join(acks);
  }

  /** A delta from another node, already checked to come from a trusted member. */
  void onDelta(PresenceDelta delta) {
    RoomReplica replica = replicas.get(delta.change().room());
    String problem = delta.problem();
    if (problem != null) {
      metrics.deltaRefused();
      LOG.log(System.Logger.Level.WARNING, "presence delta for room {0} refused: {1}",
        LogField.room(delta.change().room()), problem);
      if (replica != null && replica.sequencer.initialized()) {
        resync(replica); // whatever it was meant to say, the store says what is true
      }
    } else if (replica != null) {
      offer(replica, delta.change());
    }
  }

  /** Applies a change in version order: now, later (held), or by re-reading the room. */
  private void offer(RoomReplica replica, RoomChange change) {
    switch (replica.sequencer.offer(change)) {
      case APPLY -> {
        applyChange(replica, change, null);
        afterApplied(replica);
        dropIfUnused(replica);
      }
      case GAP -> context.owner().setTimer(GAP_WAIT_MS, id -> {
        if (replicas.get(replica.room.name()) == replica && replica.sequencer.gapOpen()) {
          resync(replica);
        }
      });
      case RESYNC -> resync(replica);
      default -> {
        // STALE: applied already; HELD: a local join is in flight, its snapshot decides what is still needed
      }
    }
  }

  /** Held changes that can follow now, and frames that waited for them. */
  private void afterApplied(RoomReplica replica) {
    for (RoomChange next = replica.sequencer.next(); next != null; next = replica.sequencer.next()) {
      applyChange(replica, next, null);
    }
    inbound.flush(replica);
  }

  private void applyChange(RoomReplica replica, RoomChange change, String except) {
    for (Departure departure : change.left()) {
      removeMember(replica, departure.member().id(), departure.reason(), change.version());
    }
    for (MemberRecord joined : change.joined()) {
      if (!joined.id().equals(except)) {
        addMember(replica, joined, change.version());
      }
    }
    for (Moved moved : change.moved()) {
      if (!moved.member().id().equals(except)) {
        moveMember(replica, moved, change.version());
      }
    }
    replica.sequencer.advance(change);
  }

  /** Re-reads the room from the store and applies the difference to the replica. */
  void resync(RoomReplica replica) {
    if (replica.resyncScheduled) {
      return;
    }
    replica.resyncScheduled = true;
    String name = replica.room.name();
    store.read(name).onComplete(ar -> {
      replica.resyncScheduled = false;
      if (ar.failed() || replicas.get(name) != replica) {
        return;
      }
      RoomRecord record = ar.result();
      List<MemberRecord> members = record == null ? List.of() : record.snapshot();
      replica.sequencer.clear();
      applySnapshot(replica, record == null ? 0 : record.epoch(), record == null ? 0 : record.version(), members,
        null, Map.of());
      afterApplied(replica);
      inbound.discard(replica); // nothing is held any more that could introduce a waiting frame's sender
      reassertMissing(replica, members);
      dropIfUnused(replica);
    });
  }

  /**
   * Makes the replica equal to {@code members}. Connected local sessions are the truth about themselves and are
   * not touched, except those the change itself removed ({@code known}); a local session in its grace period
   * that the store no longer has was displaced or expired.
   */
  private void applySnapshot(RoomReplica replica, long epoch, long version, List<MemberRecord> members,
                             String except, Map<String, LeaveReason> known) {
    // Within one history (epoch) a local session was told, in its welcome, of everything up to the version it was
    // admitted at, so only later changes are news to it. A snapshot of another history (the store lost the room,
    // or a merge replaced its entry with the other side's) cannot be compared with that: everyone is told.
    long news = epoch == replica.sequencer.epoch() ? version : Long.MAX_VALUE;
    Map<String, MemberRecord> wanted = new HashMap<>();
    members.forEach(m -> wanted.put(m.id(), m));
    for (Member member : replica.room.members()) {
      String id = member.participant().id();
      if (id.equals(except)) {
        continue;
      }
      if (known.containsKey(id)) {
        removeMember(replica, id, known.get(id), news);
      } else if (wanted.containsKey(id)) {
        reconcile(replica, member, wanted.get(id), news);
      } else if (!connectedHere(replica, member)) {
        removeMember(replica, id, departureReason(replica, member), news);
      }
    }
    for (MemberRecord m : members) {
      if (!m.id().equals(except)) {
        addMember(replica, m, news);
      }
    }
    replica.sequencer.reset(epoch, version);
  }

  /** A session this node holds and whose client is connected: the truth about itself, whatever the store says. */
  private static boolean connectedHere(RoomReplica replica, Member member) {
    return replica.admittedAt.containsKey(member.participant().id()) && !(member.endpoint() instanceof GraceBuffer);
  }

  /** Why a member the store no longer has went, as far as this node can tell. */
  private LeaveReason departureReason(RoomReplica replica, Member member) {
    boolean local = replica.admittedAt.containsKey(member.participant().id());
    return local || liveNodes.contains(member.participant().nodeId()) ? LeaveReason.DISCONNECTED
      : LeaveReason.NODE_LOST;
  }

  /** A member both here and in the store: it may have moved, or its node may be trusted again. */
  private void reconcile(RoomReplica replica, Member member, MemberRecord record, long version) {
    String heldBy = member.participant().nodeId();
    if (!record.node().equals(heldBy) && !record.node().equals(nodeId)) {
      moveMember(replica, new Moved(record, heldBy), version);
    } else if (!replica.admittedAt.containsKey(record.id()) && member.endpoint() instanceof GraceBuffer buffer
      && liveNodes.contains(record.node()) && !record.node().equals(nodeId)) {
      // (a record naming this node that it does not hold yet is being resumed here: its admission takes the buffer)
      // its node is back among the trusted members: frames kept for it go there
      Participant participant = record.toParticipant(replica.room.name());
      RemoteEndpoint next = remote(participant);
      buffer.flushTo(next);
      replica.room.add(new Member(participant, next));
    }
  }

  void removeMember(RoomReplica replica, String sessionId, LeaveReason reason, long version) {
    Member leaving = replica.room.member(sessionId);
    if (leaving == null) {
      return;
    }
    // peer-left is queued before the member stops being routable, so nobody gets unknown-peer ahead of it
    notifyLocal(replica, leaving.participant(), ServerFrames.peerLeft(sessionId, reason.wire()), version);
    SessionEndpoint endpoint = replica.room.remove(sessionId).endpoint();
    if (replica.admittedAt.remove(sessionId) != null) {
      localSessions.remove(sessionId);
      resumeHashes.remove(sessionId);
      timers.cancel(sessionId);
      handovers.forget(sessionId);
      if (reason == LeaveReason.REPLACED || reason == LeaveReason.KICKED) {
        endpoint.evicted(reason);
      }
    }
    discardBuffer(endpoint);
  }

  private static void discardBuffer(SessionEndpoint endpoint) {
    if (endpoint instanceof GraceBuffer buffer) {
      buffer.discard();
    } else if (endpoint instanceof HandoverGate gate && gate.downstream() instanceof GraceBuffer buffer) {
      buffer.discard();
    }
  }

  private void addMember(RoomReplica replica, MemberRecord record, long version) {
    if (replica.room.member(record.id()) != null || !wellFormed(record, replica.room.name())) {
      return;
    }
    if (record.node().equals(nodeId) || !liveNodes.contains(record.node())) {
      return; // a session of ours we do not hold, or of a node that is not (or no longer) a trusted member
    }
    Participant participant = record.toParticipant(replica.room.name());
    replica.room.add(new Member(participant, remote(participant)));
    notifyLocal(replica, participant, ServerFrames.peerJoined(participant.peerJson()), version);
  }

  /** A member now held by another node (a resume there): frames to it are re-routed; nobody is told. */
  private void moveMember(RoomReplica replica, Moved moved, long version) {
    String id = moved.member().id();
    Member current = replica.room.member(id);
    if (current == null) {
      addMember(replica, moved.member(), version); // one this replica did not know: it is in the room now
      return;
    }
    if (moved.member().node().equals(nodeId) || !wellFormed(moved.member(), replica.room.name())) {
      return; // resumed here: the resume itself took it over
    }
    Participant participant = moved.member().toParticipant(replica.room.name());
    RemoteEndpoint next = remote(participant);
    SessionEndpoint old = current.endpoint();
    if (replica.admittedAt.containsKey(id)) {
      handOverAway(replica, id, old, next);
    } else if (old instanceof RemoteEndpoint remote) {
      remote.retire(next, () -> handovers.sendSwitched(replica.room.name(), id, remote.nodeId()));
    } else if (old instanceof GraceBuffer buffer) {
      buffer.flushTo(next); // kept while its node was lost
    }
    replica.room.add(new Member(participant, next));
  }

  /**
   * One of this node's sessions was resumed on another node: what its grace buffer holds goes there first, then
   * every frame that still reaches this node for it (a connection whose drop went unnoticed is closed).
   */
  private void handOverAway(RoomReplica replica, String id, SessionEndpoint old, RemoteEndpoint next) {
    replica.admittedAt.remove(id);
    localSessions.remove(id);
    resumeHashes.remove(id);
    timers.cancel(id);
    handovers.forget(id);
    String room = replica.room.name();
    Consumer<List<String>> send = frames -> handovers.handOver(room, id, next.nodeId(), frames);
    if (old instanceof GraceBuffer buffer) {
      buffer.handOver(send, next);
    } else {
      send.accept(List.of());
      old.replacedBy(next);
    }
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

  void dropIfUnused(RoomReplica replica) {
    if (replica.unused() && replicas.remove(replica.room.name(), replica)) {
      inbound.discard(replica);
      replica.room.members().forEach(member -> discardBuffer(member.endpoint()));
    }
  }

  /** A member record from another node or the store, used only when it holds what a session could hold. */
  boolean wellFormed(MemberRecord record, String room) {
    String problem = record.problem();
    if (problem == null) {
      return true;
    }
    metrics.recordRefused();
    LOG.log(System.Logger.Level.WARNING, "member record in room {0} ignored: {1}", LogField.room(room), problem);
    return false;
  }

  /** After a re-read: connected local sessions missing from the store are put back. */
  private void reassertMissing(RoomReplica replica, List<MemberRecord> members) {
    Set<String> present = new HashSet<>();
    members.forEach(m -> present.add(m.id()));
    for (String local : replica.admittedAt.keySet()) {
      if (!present.contains(local)) {
        reassert(replica, heldSessions());
        return;
      }
    }
  }

  /** Every session this node holds or is admitting, in any room. */
  Set<String> heldSessions() {
    Set<String> keep = new HashSet<>(localSessions.keySet());
    keep.addAll(joining.keySet());
    return Set.copyOf(keep);
  }

  /** Puts this node's connected sessions of the room back into the store, and drops what it does not hold. */
  Future<?> reassert(RoomReplica replica, Set<String> keep) {
    List<Seat> held = new ArrayList<>();
    for (String id : replica.admittedAt.keySet()) {
      Member member = replica.room.member(id);
      if (member != null && !(member.endpoint() instanceof GraceBuffer)) {
        held.add(Seat.connected(MemberRecord.of(member.participant()), resumeHashes.get(id)));
      }
    }
    if (held.isEmpty()) {
      return Future.succeededFuture();
    }
    return submit(replica.room.name(), new RoomOperations.Reassert(nodeId, held, keep, newEpoch()))
      .onSuccess(this::publishIfChanged);
  }

  // ---- nodes ----

  /** The way to another node's sessions and presence. */
  NodeRoute route(String node) {
    return routes.computeIfAbsent(node, n -> new NodeRoute(context.owner().eventBus(), metrics, nodeId, n));
  }

  void forgetRoute(String node) {
    routes.remove(node);
  }

  private RemoteEndpoint remote(Participant participant) {
    return new RemoteEndpoint(route(participant.nodeId()), participant.id());
  }

  /** Grace buffers for another node's sessions (its node is lost): frames this node's participants send wait. */
  GraceBuffer senderSideBuffer(String room, String sessionId) {
    return new GraceBuffer(settings.bufferFrames(), settings.bufferBytes(), null,
      () -> context.runOnContext(v -> overflowed(room, sessionId)), graceStats);
  }

  private boolean alone() {
    return liveNodes.size() <= 1;
  }

  // ---- shutdown ----

  /**
   * Graceful leave: waits for changes in flight; then, if other members can take the clients over, for this
   * node's sessions (all in their grace period now) to be resumed elsewhere or to expire, so that no frame is
   * lost; then removes whatever is still held here and makes sure the other nodes have applied that.
   */
  Future<?> drain() {
    draining = true;
    return Future.join(new ArrayList<>(inFlight)).transform(ignored -> awaitHandovers())
      .transform(ignored -> removeRemaining());
  }

  private Future<Void> awaitHandovers() {
    if (settings.graceMillis() == 0 || alone()) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    long deadline = System.currentTimeMillis() + settings.graceMillis() + Handovers.FORWARD_MS;
    context.owner().setPeriodic(0, DRAIN_POLL_MS, timer -> {
      if (localSessions.isEmpty() && handovers.idle() || System.currentTimeMillis() > deadline) {
        context.owner().cancelTimer(timer);
        done.tryComplete();
      }
    });
    return done.future();
  }

  private Future<?> removeRemaining() {
    List<Future<?>> removals = new ArrayList<>();
    for (RoomReplica replica : List.copyOf(replicas.values())) {
      if (!replica.admittedAt.isEmpty()) {
        removals.add(submit(replica.room.name(), new RoomOperations.Reassert(nodeId, List.of(), Set.of(), 0))
          .compose(change -> change.changed() ? publish(change, true) : Future.succeededFuture()));
      }
    }
    return Future.join(removals);
  }

  // ---- helpers ----

  private RoomReplica replica(String room) {
    return replicas.computeIfAbsent(room, RoomReplica::new);
  }

  Future<RoomChange> submit(String room, RoomOperation operation) {
    return track(store.apply(room, operation));
  }

  <T> Future<T> track(Future<T> future) {
    inFlight.add(future);
    return future.onComplete(ar -> inFlight.remove(future));
  }

  RoomStore store() {
    return store;
  }

  String nodeId() {
    return nodeId;
  }

  long graceMillis() {
    return settings.graceMillis();
  }

  static long newEpoch() {
    long epoch;
    do {
      epoch = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    } while (epoch == 0);
    return epoch;
  }
}
