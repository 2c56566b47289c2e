package io.switchboard.signaling.presence;

import io.switchboard.bus.Addresses;
import io.switchboard.metrics.PresenceMetrics;
import io.switchboard.signaling.room.PresenceCommand;
import io.switchboard.signaling.room.PresenceDesk;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Room presence of this node, over whichever {@link RoomStore} it was given: the in-memory one on a single node,
 * Hazelcast's in a cluster. It answers this node's edges ({@link PresenceCommand}s, handed to its loop) and what
 * other nodes send its presence address (deltas, frames, handovers), all on one event loop, so room state needs
 * no locks. The rules live in {@link RoomOperations}, their application in {@link PresenceEngine}.
 */
public final class PresenceVerticle extends VerticleBase implements PresenceDesk {

  private static final System.Logger LOG = System.getLogger(PresenceVerticle.class.getName());

  private final PresenceSettings settings;
  private final RoomStore store;
  private final ClusterView cluster;
  private final PresenceMetrics metrics;
  private final GraceStats graceStats;
  private PresenceEngine engine;
  /**
   * Set once the drain at stop has finished (as the bus consumer used to go with the undeployed verticle): commands
   * that come during the drain are still applied, later ones are refused rather than applied to a drained engine.
   */
  private volatile boolean stopped;
  private Runnable stopListening = () -> { };

  public PresenceVerticle(PresenceSettings settings, RoomStore store, ClusterView cluster, PresenceMetrics metrics,
                          GraceStats graceStats) {
    this.settings = settings;
    this.store = store;
    this.cluster = cluster;
    this.metrics = metrics;
    this.graceStats = graceStats;
  }

  /** Rooms this node holds sessions in (the room gauge); any thread. */
  public int roomCount() {
    PresenceEngine current = engine;
    return current == null ? 0 : current.replicas.size();
  }

  @Override
  public Future<?> start() {
    engine = new PresenceEngine(context, settings, store, cluster.liveNodes(), metrics, graceStats);
    stopListening = cluster.listen(new ClusterPresence(context, engine, cluster));
    // Deltas, frames and handovers from other nodes share one address and this context: a node's delta is
    // applied before the frames it sent after it. Completion of a clustered consumer means every member can
    // reach it.
    Future<Void> fromNodes = vertx.eventBus().consumer(Addresses.nodePresence(settings.nodeId()), this::fromNode)
      .completion();
    return fromNodes;
  }

  @Override
  public Future<?> stop() {
    stopListening.run();
    return engine.drain().andThen(ar -> stopped = true);
  }

  @Override
  public void submit(PresenceCommand command, Promise<Object> answer) {
    context.runOnContext(v -> {
      if (engine == null || stopped) {
        answer.tryFail(new IllegalStateException("presence is not running on this node"));
        return;
      }
      Future<?> result;
      try {
        result = answer(command);
      } catch (RuntimeException e) {
        // a fault in presence fails this command at once, instead of leaving its session waiting for the timeout
        answer.tryFail(e);
        return;
      }
      result.onComplete(ar -> {
        if (ar.succeeded()) {
          answer.tryComplete(ar.result());
        } else {
          answer.tryFail(ar.cause());
        }
      });
    });
  }

  /** On presence's loop. */
  private Future<?> answer(PresenceCommand command) {
    if (command instanceof PresenceCommand.Join join) {
      return engine.join(join.participant(), join.resumeHash(), join.endpoint());
    } else if (command instanceof PresenceCommand.Resume resume) {
      return engine.resume(resume.participant(), resume.presentedHash(), resume.newResumeHash(), resume.endpoint());
    } else if (command instanceof PresenceCommand.Leave leave) {
      // a leave or suspend is answered once applied, whatever its outcome: the edge only waits for it
      return engine.leave(leave.room(), leave.sessionId(), leave.reason(), leave.endpoint()).otherwiseEmpty();
    } else if (command instanceof PresenceCommand.Suspend suspend) {
      return engine.suspend(suspend.room(), suspend.sessionId(), suspend.reason(), suspend.endpoint())
        .otherwiseEmpty();
    } else if (command instanceof PresenceCommand.Kick kick) {
      return engine.kick(kick.room(), kick.sessionId());
    } else if (command instanceof PresenceCommand.DescribeRoom describe) {
      return engine.describeRoom(describe.room());
    }
    return engine.describeRooms();
  }

  /** Something another node sent: a frame for one of this node's sessions, a delta, or a handover message. */
  private void fromNode(Message<Object> message) {
    Object body = message.body();
    if (body instanceof Buffer frame) {
      engine.inbound.receive(frame);
      return;
    }
    try {
      JsonObject json = (JsonObject) body;
      String from = json.getString("from");
      if (!engine.liveNodes.contains(from)) {
        throw new IllegalArgumentException("node " + from + " is not a trusted member");
      }
      if (PresenceDelta.KIND.equals(json.getString("kind"))) {
        engine.onDelta(PresenceDelta.decode(json));
      } else {
        engine.handovers.receive(json);
      }
    } catch (RuntimeException e) {
      metrics.deltaRefused();
      LOG.log(System.Logger.Level.WARNING, "message from another node refused: {0}", e.toString());
    }
    if (message.replyAddress() != null) {
      message.reply(null);
    }
  }
}
