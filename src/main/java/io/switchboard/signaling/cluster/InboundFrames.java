package io.switchboard.signaling.cluster;

import io.switchboard.metrics.ClusterMetrics;
import io.switchboard.signaling.protocol.RelayFrame;
import io.switchboard.signaling.room.Member;
import io.vertx.core.buffer.Buffer;

import java.util.Map;

/**
 * Frames other nodes relay to this node's sessions. They are handled on the presence verticle's event loop,
 * after the presence deltas the same node sent before them (one connection, one consumer context), so the join
 * of a frame's sender has been applied when its first frame arrives, and {@code peer-joined} reaches the
 * receiver first.
 *
 * <p>Nothing in an envelope is taken on trust. A frame is delivered only when its sender is a member of the
 * receiver's room held by the node that sent the envelope, and may address the receiver (a viewer may not
 * address a viewer). A sender whose join is still waiting in a replica's delta buffer (a gap) has its frames
 * parked, in order and bounded, until the join is applied. Everything else is refused and counted.
 */
final class InboundFrames {

  private static final System.Logger LOG = System.getLogger(InboundFrames.class.getName());

  /** Local session id → the replica of its room; owned by the presence verticle. */
  private final Map<String, RoomReplica> localSessions;
  private final ClusterMetrics stats;

  InboundFrames(Map<String, RoomReplica> localSessions, ClusterMetrics stats) {
    this.localSessions = localSessions;
    this.stats = stats;
  }

  void receive(Object body) {
    FrameEnvelope envelope;
    try {
      envelope = FrameEnvelope.decode((Buffer) body);
    } catch (RuntimeException e) {
      stats.frameRefused();
      LOG.log(System.Logger.Level.WARNING, "malformed frame envelope dropped: {0}", e.toString());
      return;
    }
    RoomReplica replica = localSessions.get(envelope.target());
    if (replica == null) {
      return; // the session left while the frame was on its way, as on a single node
    }
    if (!replica.parked.isEmpty()) {
      park(replica, envelope); // behind the frames already waiting, so none overtakes another
      return;
    }
    switch (verdict(replica, envelope)) {
      case DELIVER -> deliver(replica, envelope);
      case WAIT -> park(replica, envelope);
      case REFUSE -> refuse(envelope);
    }
  }

  /** After the replica changed: delivers parked frames in order, up to the first whose sender is still awaited. */
  void flush(RoomReplica replica) {
    while (!replica.parked.isEmpty()) {
      FrameEnvelope next = replica.parked.peekFirst();
      boolean targetHere = localSessions.get(next.target()) == replica;
      Verdict verdict = targetHere ? verdict(replica, next) : Verdict.REFUSE;
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

  /** The replica is going away or was re-read from the map: whatever still waits will not be delivered. */
  void discard(RoomReplica replica) {
    flush(replica);
    replica.parked.forEach(this::refuse);
    replica.parked.clear();
    replica.parkedChars = 0;
  }

  private enum Verdict { DELIVER, WAIT, REFUSE }

  private static Verdict verdict(RoomReplica replica, FrameEnvelope envelope) {
    String senderId = RelayFrame.senderOf(envelope.frame());
    Member target = replica.room.member(envelope.target());
    if (senderId == null || target == null) {
      return Verdict.REFUSE;
    }
    Member sender = replica.room.member(senderId);
    if (sender == null) {
      return replica.expects(senderId, envelope.senderNode()) ? Verdict.WAIT : Verdict.REFUSE;
    }
    boolean heldBySender = sender.endpoint() instanceof RemoteEndpoint remote
      && remote.nodeId().equals(envelope.senderNode());
    boolean allowed = sender.participant().role().sees(target.participant().role());
    return heldBySender && allowed ? Verdict.DELIVER : Verdict.REFUSE;
  }

  private static void deliver(RoomReplica replica, FrameEnvelope envelope) {
    replica.room.member(envelope.target()).endpoint().deliver(envelope.frame());
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
      envelope.target());
  }
}
