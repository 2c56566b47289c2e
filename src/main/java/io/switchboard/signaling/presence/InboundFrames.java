package io.switchboard.signaling.presence;

import io.switchboard.LogField;
import io.switchboard.metrics.PresenceMetrics;
import io.switchboard.signaling.protocol.RelayFrame;
import io.switchboard.signaling.room.Member;
import io.switchboard.signaling.room.SessionEndpoint;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Frames other nodes relay to this node's sessions. They are handled on the presence verticle's event loop,
 * after the presence deltas the same node sent before them (one address, one context), so the join of a
 * frame's sender has been applied when its first frame arrives, and {@code peer-joined} reaches the receiver
 * first.
 *
 * <p>Nothing in an envelope is taken on trust. A frame is delivered only when its sender is a member of the
 * receiver's room held by the node that sent the envelope, and may address the receiver (a viewer may not
 * address a viewer). A sender whose join is still waiting in a replica's delta buffer (a gap) has its frames
 * parked, in order and bounded, until the join is applied. Everything else is refused and counted. A frame for
 * a session that has just moved to another node (a resume there) is forwarded to it.
 */
final class InboundFrames {

  private static final System.Logger LOG = System.getLogger(InboundFrames.class.getName());

  /** Local session id → the replica of its room; owned by the presence verticle. */
  private final Map<String, RoomReplica> localSessions;
  private final PresenceMetrics stats;
  /** Forwards a frame for a session that moved away; false when it did not. */
  private Predicate<FrameEnvelope> movedAway = envelope -> false;

  InboundFrames(Map<String, RoomReplica> localSessions, PresenceMetrics stats) {
    this.localSessions = localSessions;
    this.stats = stats;
  }

  void forwardMovedThrough(Predicate<FrameEnvelope> movedAway) {
    this.movedAway = movedAway;
  }

  void receive(Buffer body) {
    List<FrameEnvelope> envelopes;
    try {
      envelopes = FrameEnvelope.decode(body);
    } catch (RuntimeException e) {
      stats.frameRefused();
      LOG.log(System.Logger.Level.WARNING, "malformed frame envelope dropped: {0}", e.toString());
      return;
    }
    for (FrameEnvelope envelope : envelopes) {
      receive(envelope);
    }
  }

  /** One receiver's copy: each is checked on its own, so one forged or stale receiver costs the others nothing. */
  private void receive(FrameEnvelope envelope) {
    RoomReplica replica = localSessions.get(envelope.target());
    if (replica == null) {
      movedAway.test(envelope); // else the session left while the frame was on its way, as on a single node
      return;
    }
    if (!replica.parked.isEmpty()) {
      park(replica, envelope); // behind the frames already waiting, so none overtakes another
      return;
    }
    switch (verdict(replica, envelope, false)) {
      case DELIVER -> deliver(replica, envelope);
      case WAIT -> park(replica, envelope);
      case REFUSE -> refuse(envelope);
    }
  }

  /**
   * A frame the session's previous node forwarded after a resume here: checked like any other, then given to
   * {@code sink} (the handover gate), or to the session when there is no gate any more.
   */
  void receiveForwarded(FrameEnvelope envelope, Consumer<String> sink) {
    RoomReplica replica = localSessions.get(envelope.target());
    if (replica == null) {
      return;
    }
    if (verdict(replica, envelope, true) == Verdict.REFUSE) {
      refuse(envelope);
    } else if (sink != null) {
      sink.accept(envelope.frame());
    } else {
      replica.room.member(envelope.target()).endpoint().deliver(envelope.frame());
    }
  }

  /** After the replica changed: delivers parked frames in order, up to the first whose sender is still awaited. */
  void flush(RoomReplica replica) {
    while (!replica.parked.isEmpty()) {
      FrameEnvelope next = replica.parked.peekFirst();
      boolean targetHere = localSessions.get(next.target()) == replica;
      Verdict verdict = targetHere ? verdict(replica, next, false) : Verdict.REFUSE;
      if (verdict == Verdict.WAIT) {
        return;
      }
      replica.parked.pollFirst();
      replica.parkedChars -= next.frame().length();
      if (verdict == Verdict.DELIVER) {
        deliver(replica, next);
      } else if (targetHere) {
        refuse(next);
      } // else the receiver left while its frame waited, as on a single node
    }
  }

  /** The replica is going away or was re-read from the store: whatever still waits will not be delivered. */
  void discard(RoomReplica replica) {
    flush(replica);
    replica.parked.forEach(this::refuse);
    replica.parked.clear();
    replica.parkedChars = 0;
  }

  private enum Verdict { DELIVER, WAIT, REFUSE }

  /**
   * @param forwarded the frame came back through the session's previous node, so its sender may be one of this
   *                  node's own sessions; straight from another node, it never may
   */
  private Verdict verdict(RoomReplica replica, FrameEnvelope envelope, boolean forwarded) {
    String senderId = RelayFrame.senderOf(envelope.frame());
    Member target = replica.room.member(envelope.target());
    if (senderId == null || target == null) {
      return Verdict.REFUSE;
    }
    Member sender = replica.room.member(senderId);
    if (sender == null) {
      return replica.sequencer.expects(senderId, envelope.senderNode()) ? Verdict.WAIT : Verdict.REFUSE;
    }
    boolean ours = localSessions.containsKey(senderId);
    boolean heldBySender = sender.participant().nodeId().equals(envelope.senderNode()) && (forwarded || !ours);
    boolean allowed = sender.participant().role().sees(target.participant().role());
    return heldBySender && allowed ? Verdict.DELIVER : Verdict.REFUSE;
  }

  /** Through the handover gate, if the session has one: it knows which node the frame came from. */
  private static void deliver(RoomReplica replica, FrameEnvelope envelope) {
    SessionEndpoint endpoint = replica.room.member(envelope.target()).endpoint();
    if (endpoint instanceof HandoverGate gate) {
      gate.deliverFrom(envelope.senderNode(), envelope.frame());
    } else {
      endpoint.deliver(envelope.frame());
    }
  }

  private void park(RoomReplica replica, FrameEnvelope envelope) {
    if (replica.parked.size() >= RoomReplica.MAX_PARKED
      || replica.parkedChars + envelope.frame().length() > RoomReplica.MAX_PARKED_CHARS) {
      refuse(envelope);
      return;
    }
    replica.parked.addLast(envelope);
    replica.parkedChars += envelope.frame().length();
  }

  private void refuse(FrameEnvelope envelope) {
    stats.frameRefused();
    LOG.log(System.Logger.Level.DEBUG, "frame from node {0} to session {1} refused: its sender is not a member "
      + "of the receiver's room held by that node, or may not address the receiver", envelope.senderNode(),
      LogField.session(envelope.target()));
  }
}
