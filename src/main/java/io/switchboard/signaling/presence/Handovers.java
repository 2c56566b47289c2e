package io.switchboard.signaling.presence;

import io.switchboard.LogField;
import io.switchboard.metrics.PresenceMetrics;
import io.switchboard.signaling.room.Member;
import io.switchboard.signaling.session.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Moving a session from the node that held it to the node where its client resumed it, without losing or
 * reordering a frame. Three roles, any node may play each:
 *
 * <ul>
 *   <li>The <b>previous</b> node (it held the session) hands over what it buffered during the grace period
 *   ({@code handover}), then forwards whatever still arrives for the session ({@code forward}) and the
 *   markers of the nodes that switched ({@code marker}), for {@link #FORWARD_MS}.</li>
 *   <li>Every <b>other</b> node, when it applies the resume, routes the session's frames straight to the new
 *   node and tells the previous node so ({@code switched}), on the connection its earlier frames took.</li>
 *   <li>The <b>new</b> node puts a {@link HandoverGate} in front of the resumed session: it passes what the
 *   previous node sends, and holds each node's direct frames until that node's marker has come through.</li>
 * </ul>
 *
 * Control messages travel on the receiving node's presence address, like frames and deltas, so each arrives
 * in order with what its sender sent before it. Presence thread only.
 */
final class Handovers {

  private static final System.Logger LOG = System.getLogger(Handovers.class.getName());
  /** How long a gate waits for markers: a node that died before anyone noticed never sends its marker. */
  static final long GATE_MS = 2000;
  /** How long the previous node forwards for a session that moved: longer than any gate waits. */
  static final long FORWARD_MS = GATE_MS + 1000;
  /** Frames a handover may carry; more than any grace buffer holds. */
  static final int MAX_HANDOVER_FRAMES = 100_000;
  private static final int MAX_EARLY_MARKERS = 64;

  private final Vertx vertx;
  private final String nodeId;
  private final Function<String, NodeRoute> routes;
  private final Predicate<String> live;
  private final Function<String, RoomReplica> localReplica;
  private final InboundFrames inbound;
  private final PresenceMetrics metrics;
  /** Sessions resumed here whose handover is under way: session id → gate. */
  private final Map<String, Gate> gates = new HashMap<>();
  /** Sessions that moved away from here: session id → where to. */
  private final Map<String, Forward> forwards = new HashMap<>();
  /** Markers that came before this node applied the resume they are about: session id → nodes. */
  private final Map<String, Set<String>> earlyMarkers = new HashMap<>();

  private record Gate(RoomReplica replica, HandoverGate gate, long timer) {
  }

  private record Forward(String room, String to, long timer) {
  }

  /**
   * @param routes the route to a node
   * @param live whether a node is a trusted member now
   * @param localReplica the replica of a session held here, or null
   */
  Handovers(Vertx vertx, String nodeId, Function<String, NodeRoute> routes, Predicate<String> live,
            Function<String, RoomReplica> localReplica, InboundFrames inbound, PresenceMetrics metrics) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.routes = routes;
    this.live = live;
    this.localReplica = localReplica;
    this.inbound = inbound;
    this.metrics = metrics;
  }

  // ---- every node: switching a route away from the previous node ----

  /** This node now sends {@code sessionId}'s frames elsewhere; the previous node passes the marker on. */
  void sendSwitched(String room, String sessionId, String previous) {
    if (live.test(previous) && !previous.equals(nodeId)) {
      routes.apply(previous).control(message("switched", room, sessionId));
    }
  }

  // ---- the previous node ----

  /**
   * Sends what was buffered for a session that moved to {@code to}, then forwards what still arrives for it.
   * Called under the lock of the endpoint being replaced, before anything can reach its successor.
   */
  void handOver(String room, String sessionId, String to, List<String> frames) {
    NodeRoute route = routes.apply(to);
    route.control(message("handover", room, sessionId).put("frames", new JsonArray(List.copyOf(frames))));
    long timer = vertx.setTimer(FORWARD_MS, id -> forwards.remove(sessionId));
    Forward previous = forwards.put(sessionId, new Forward(room, to, timer));
    if (previous != null) {
      vertx.cancelTimer(previous.timer);
    }
    Set<String> early = earlyMarkers.remove(sessionId);
    if (early != null) {
      early.forEach(source -> route.control(message("marker", room, sessionId).put("source", source)));
    }
  }

  /** A frame for a session that moved away: forwarded to its new node. Returns false when it did not move. */
  boolean forward(FrameEnvelope envelope) {
    Forward forward = forwards.get(envelope.target());
    if (forward == null) {
      return false;
    }
    routes.apply(forward.to).control(message("forward", forward.room, envelope.target())
      .put("node", envelope.senderNode()).put("frame", envelope.frame()));
    return true;
  }

  // ---- the new node ----

  /**
   * Puts a gate in front of a session resumed here from {@code previous}, unless there is nothing to wait for
   * (the previous node is lost). Returns what the room should route the session's frames to.
   *
   * @param audience the nodes that held members of the room: those that routed the session to the previous node
   */
  HandoverGate gate(RoomReplica replica, String sessionId, io.switchboard.signaling.room.SessionEndpoint session,
                    String previous, Set<String> audience) {
    Set<String> awaiting = new HashSet<>();
    if (live.test(previous)) {
      audience.stream().filter(live).forEach(awaiting::add);
    }
    HandoverGate gate = new HandoverGate(session, nodeId, previous, awaiting);
    if (!gate.isOpen()) {
      long timer = vertx.setTimer(GATE_MS, id -> {
        metrics.handoverTimedOut();
        open(sessionId);
      });
      gates.put(sessionId, new Gate(replica, gate, timer));
    }
    return gate;
  }

  /** The gate of a session resumed here, or null. */
  HandoverGate gateOf(String sessionId) {
    Gate gate = gates.get(sessionId);
    return gate == null ? null : gate.gate;
  }

  private void open(String sessionId) {
    Gate entry = gates.remove(sessionId);
    if (entry == null) {
      return;
    }
    vertx.cancelTimer(entry.timer);
    int dropped = entry.gate.openNow();
    if (dropped > 0) {
      LOG.log(System.Logger.Level.WARNING, "{0} frames for resumed session {1} in room {2} dropped while its "
        + "handover waited", dropped, LogField.session(sessionId), LogField.room(entry.replica.room.name()));
    }
    // from now on the room routes straight to the session (or to what replaced it meanwhile)
    Member member = entry.replica.room.member(sessionId);
    if (member != null && member.endpoint() == entry.gate) {
      entry.replica.room.add(new Member(member.participant(), entry.gate.downstream()));
    }
  }

  // ---- receiving ----

  /** A control message from another node, already checked to come from a trusted member. */
  void receive(JsonObject message) {
    String kind = MemberRecord.text(message, "kind");
    String room = MemberRecord.text(message, "room");
    String session = MemberRecord.text(message, "session");
    String from = MemberRecord.text(message, "from");
    if (room == null || session == null || from == null || !Ids.SESSION_ID.matcher(session).matches()) {
      throw new IllegalArgumentException("a handover message needs room, session and from");
    }
    switch (kind) {
      case "switched" -> switched(room, session, from);
      case "handover" -> handedOver(session, from, frames(message));
      case "forward" -> forwarded(session, from, new FrameEnvelope(session, MemberRecord.text(message, "node"),
        MemberRecord.text(message, "frame")));
      case "marker" -> marker(session, from, MemberRecord.text(message, "source"));
      default -> throw new IllegalArgumentException("unknown handover message " + kind);
    }
  }

  private void switched(String room, String session, String source) {
    Forward forward = forwards.get(session);
    if (forward != null) {
      routes.apply(forward.to).control(message("marker", room, session).put("source", source));
    } else if (localReplica.apply(session) != null) {
      // the marker overtook the resume on its way here: it goes on with the handover
      Set<String> early = earlyMarkers.computeIfAbsent(session, id -> new HashSet<>());
      if (early.size() < MAX_EARLY_MARKERS) {
        early.add(source);
      }
    }
  }

  private void handedOver(String session, String from, List<String> frames) {
    Gate entry = gates.get(session);
    if (entry != null && entry.gate.previousNode().equals(from)) {
      entry.gate.fromPrevious(frames);
      return;
    }
    // the gate gave up waiting (or there was none): late is better than lost
    RoomReplica replica = localReplica.apply(session);
    Member member = replica == null ? null : replica.room.member(session);
    if (member != null) {
      metrics.handoverLate();
      frames.forEach(member.endpoint()::deliver);
    }
  }

  private void forwarded(String session, String from, FrameEnvelope envelope) {
    if (envelope.senderNode() == null || envelope.frame() == null) {
      throw new IllegalArgumentException("a forwarded frame needs node and frame");
    }
    Gate entry = gates.get(session);
    if (entry != null && entry.gate.previousNode().equals(from)) {
      inbound.receiveForwarded(envelope, frame -> entry.gate.fromPrevious(List.of(frame)));
    } else {
      inbound.receiveForwarded(envelope, null);
    }
  }

  private void marker(String session, String from, String source) {
    Gate entry = gates.get(session);
    if (source != null && entry != null && entry.gate.previousNode().equals(from) && entry.gate.switched(source)) {
      open(session);
    }
  }

  // ---- lifecycle ----

  /** A node is gone: gates waiting on it open, and nothing is forwarded to it any more. */
  void nodeLost(String node) {
    for (Map.Entry<String, Gate> entry : Map.copyOf(gates).entrySet()) {
      if (entry.getValue().gate.previousNode().equals(node)) {
        open(entry.getKey());
      } else if (entry.getValue().gate.switched(node)) {
        open(entry.getKey()); // its marker will never come
      }
    }
    forwards.values().removeIf(forward -> {
      boolean lost = forward.to.equals(node);
      if (lost) {
        vertx.cancelTimer(forward.timer);
      }
      return lost;
    });
  }

  /** A session held here ended for good. */
  void forget(String sessionId) {
    earlyMarkers.remove(sessionId);
    Gate entry = gates.remove(sessionId);
    if (entry != null) {
      vertx.cancelTimer(entry.timer);
      entry.gate.openNow();
    }
  }

  /** Nothing being handed over or forwarded (a draining node may leave). */
  boolean idle() {
    return gates.isEmpty() && forwards.isEmpty();
  }

  private JsonObject message(String kind, String room, String session) {
    return new JsonObject().put("kind", kind).put("room", room).put("session", session).put("from", nodeId);
  }

  private static List<String> frames(JsonObject message) {
    JsonArray array = message.getJsonArray("frames");
    if (array == null || array.size() > MAX_HANDOVER_FRAMES) {
      throw new IllegalArgumentException("a handover needs at most " + MAX_HANDOVER_FRAMES + " frames");
    }
    String[] frames = new String[array.size()];
    for (int i = 0; i < frames.length; i++) {
      if (!(array.getValue(i) instanceof String frame)) {
        throw new IllegalArgumentException("a handed-over frame is not a string");
      }
      frames[i] = frame;
    }
    return List.of(frames);
  }
}
