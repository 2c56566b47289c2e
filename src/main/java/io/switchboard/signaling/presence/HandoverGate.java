package io.switchboard.signaling.presence;

import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.Room;
import io.switchboard.signaling.room.SessionEndpoint;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Keeps the frames of a session resumed here in order while its previous node hands it over.
 *
 * <p>Until the resume, every node sent this session's frames to the previous node, which buffered them. Once a
 * node applies the resume it sends straight here, and tells the previous node so ("switched") on the connection
 * its earlier frames took; the previous node passes that marker on after everything it forwards. So a node's
 * frames that come straight here wait until its marker has come through the previous node, and every sender's
 * frames arrive in the order it sent them. What the previous node hands over and forwards passes at once. The
 * gate opens when every node that routed through the previous node has switched, when the previous node is
 * lost, or after a timeout (a node that died before anyone noticed).
 *
 * <p>Direct frames from this node's own participants count as this node's; frames from other nodes come
 * through {@link #deliverFrom}. Any thread.
 */
final class HandoverGate implements SessionEndpoint {

  /** Frames held per gate at most; beyond, direct frames are dropped (a flood while the handover is slow). */
  static final int MAX_HELD = 4096;

  private final String localNode;
  private final String previousNode;
  private final Set<String> awaiting;
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private SessionEndpoint downstream;
  private boolean open;
  private int dropped;

  private record Held(String source, String frame) {
  }

  /**
   * @param awaiting nodes whose marker must come through the previous node (those that routed this session
   *                 there); nothing is awaited from the previous node itself
   */
  HandoverGate(SessionEndpoint downstream, String localNode, String previousNode, Set<String> awaiting) {
    this.downstream = downstream;
    this.localNode = localNode;
    this.previousNode = previousNode;
    this.awaiting = new HashSet<>(awaiting);
    this.awaiting.remove(previousNode);
    this.open = this.awaiting.isEmpty();
  }

  String previousNode() {
    return previousNode;
  }

  /** A frame from one of this node's participants. */
  @Override
  public void deliver(String frame) {
    deliverFrom(localNode, frame);
  }

  /** A frame sent straight here by {@code source}. */
  synchronized void deliverFrom(String source, String frame) {
    if (open || !awaiting.contains(source)) {
      downstream.deliver(frame);
    } else if (held.size() < MAX_HELD) {
      held.addLast(new Held(source, frame));
    } else {
      dropped++;
    }
  }

  /** Frames the previous node handed over or forwarded: they come first, in its order. */
  synchronized void fromPrevious(List<String> frames) {
    frames.forEach(downstream::deliver);
  }

  /** {@code source}'s marker came through the previous node: its frames held here may go. Returns whether open. */
  synchronized boolean switched(String source) {
    if (awaiting.remove(source)) {
      for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
        Held next = it.next();
        if (next.source.equals(source)) {
          downstream.deliver(next.frame);
          it.remove();
        }
      }
    }
    if (awaiting.isEmpty()) {
      openNow();
    }
    return open;
  }

  /** No more waiting: everything held goes, in arrival order. Returns the number of frames dropped meanwhile. */
  synchronized int openNow() {
    for (Held next : held) {
      downstream.deliver(next.frame);
    }
    held.clear();
    open = true;
    return dropped;
  }

  synchronized boolean isOpen() {
    return open;
  }

  synchronized SessionEndpoint downstream() {
    return downstream;
  }

  /** The resumed session dropped again (or moved on): what passes the gate goes to {@code next} instead. */
  synchronized void redirect(SessionEndpoint next) {
    downstream = next;
  }

  @Override
  public void admitted(Room room, Participant self, List<Participant> visiblePeers, boolean resumed) {
    throw new IllegalStateException("a handover gate is never admitted");
  }

  @Override
  public void evicted(LeaveReason reason) {
    downstream().evicted(reason);
  }

  /**
   * Resumed again (elsewhere, or here after another drop) before this gate opened: what passed the gate goes on
   * to {@code successor} first, then what it holds.
   */
  @Override
  public synchronized void replacedBy(SessionEndpoint successor) {
    downstream.replacedBy(successor);
    for (Held next : held) {
      successor.deliver(next.frame);
    }
    held.clear();
    open = true;
    downstream = successor;
  }
}
