package io.switchboard.signaling.presence;

import io.switchboard.bus.Addresses;
import io.switchboard.metrics.PresenceMetrics;
import io.switchboard.signaling.room.IdentityTakenException;
import io.switchboard.signaling.room.PresenceCommand;
import io.switchboard.signaling.room.ResumeFailedException;
import io.switchboard.signaling.room.RoomFullException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Room presence of this node, over whichever {@link RoomStore} it was given: the in-memory one on a single node,
 * Hazelcast's in a cluster. It answers this node's edges ({@link PresenceCommand}s on the local bus) and what
 * other nodes send its presence address (deltas, frames, handovers), all on one event loop, so room state needs
 * no locks. The rules live in {@link RoomOperations}, their application in {@link PresenceEngine}.
 */
public final class PresenceVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(PresenceVerticle.class.getName());

  private final PresenceSettings settings;
  private final RoomStore store;
  private final ClusterView cluster;
  private final PresenceMetrics metrics;
  private final GraceStats graceStats;
  private PresenceEngine engine;
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
    PresenceCommand.registerCodecs(vertx.eventBus());
    stopListening = cluster.listen(new ClusterPresence(context, engine, cluster));
    Future<Void> commands = vertx.eventBus().<PresenceCommand>localConsumer(Addresses.PRESENCE, this::handle)
      .completion();
    // Deltas, frames and handovers from other nodes share one address and this context: a node's delta is
    // applied before the frames it sent after it. Completion of a clustered consumer means every member can
    // reach it.
    Future<Void> fromNodes = vertx.eventBus().consumer(Addresses.nodePresence(settings.nodeId()), this::fromNode)
      .completion();
    return Future.all(commands, fromNodes);
  }

  @Override
  public Future<?> stop() {
    stopListening.run();
    return engine.drain();
  }

  private void handle(Message<PresenceCommand> message) {
    PresenceCommand command = message.body();
    if (command instanceof PresenceCommand.Join join) {
      reply(message, engine.join(join.participant(), join.resumeHash(), join.endpoint()));
    } else if (command instanceof PresenceCommand.Resume resume) {
      reply(message, engine.resume(resume.participant(), resume.presentedHash(), resume.newResumeHash(),
        resume.endpoint()));
    } else if (command instanceof PresenceCommand.Leave leave) {
      engine.leave(leave.room(), leave.sessionId(), leave.reason(), leave.endpoint())
        .onComplete(ar -> message.reply(null));
    } else if (command instanceof PresenceCommand.Suspend suspend) {
      engine.suspend(suspend.room(), suspend.sessionId(), suspend.reason(), suspend.endpoint())
        .onComplete(ar -> message.reply(null));
    } else if (command instanceof PresenceCommand.Kick kick) {
      reply(message, engine.kick(kick.room(), kick.sessionId()));
    } else if (command instanceof PresenceCommand.DescribeRoom describe) {
      reply(message, engine.describeRoom(describe.room()));
    } else {
      reply(message, engine.describeRooms());
    }
  }

  private static <T> void reply(Message<PresenceCommand> message, Future<T> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else if (ar.cause() instanceof RoomFullException full) {
        message.fail(PresenceCommand.ROOM_FULL, full.getMessage());
      } else if (ar.cause() instanceof IdentityTakenException) {
        message.fail(PresenceCommand.IDENTITY_TAKEN, ((PresenceCommand.Join) message.body()).participant().room());
      } else if (ar.cause() instanceof ResumeFailedException failed) {
        message.fail(PresenceCommand.RESUME_FAILED, failed.reason().name());
      } else {
        message.fail(0, ar.cause().toString());
      }
    });
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
