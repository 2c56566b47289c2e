package io.switchboard.signaling.cluster;

import io.switchboard.bus.Addresses;
import io.switchboard.signaling.room.SessionEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;

import java.util.Map;

/**
 * Receives frames other nodes relay to this node's sessions and writes them to the session. One consumer,
 * so frames from one sender stay in the order they were sent; it runs on its own event loop, apart from
 * presence work.
 */
public final class InboundFrameVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(InboundFrameVerticle.class.getName());

  private final String nodeId;
  private final Map<String, SessionEndpoint> localSessions;

  public InboundFrameVerticle(String nodeId, Map<String, SessionEndpoint> localSessions) {
    this.nodeId = nodeId;
    this.localSessions = localSessions;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<Buffer>consumer(Addresses.nodeFrames(nodeId), this::onFrame).completion();
  }

  private void onFrame(Message<Buffer> message) {
    Buffer envelope = message.body();
    try {
      SessionEndpoint target = localSessions.get(NodeRoute.targetOf(envelope));
      if (target != null) {
        target.deliver(NodeRoute.frameOf(envelope));
      }
      // else: the session left while the frame was on its way, as on a single node
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "malformed frame envelope dropped: {0}", e.toString());
    }
  }
}
