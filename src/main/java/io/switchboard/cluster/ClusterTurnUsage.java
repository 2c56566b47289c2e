package io.switchboard.cluster;

import io.switchboard.auth.TokenVerifier;
import io.switchboard.bus.Addresses;
import io.switchboard.relay.usage.NodeTurnUsage;
import io.switchboard.relay.usage.RoomUsage;
import io.switchboard.relay.usage.TurnUsageQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The TURN usage of a room across the cluster: every trusted member is asked for its own relays' count over the
 * event bus (mutual TLS between members), with a short timeout, and the answers are added up. A member that does
 * not answer in time leaves its share out and the answer says {@code "complete": false}. Each node answers at its
 * own address, whether its relay is on or not (off: nothing counted). The answer completes on the caller's context.
 */
public final class ClusterTurnUsage implements TurnUsageQuery {

  private static final System.Logger LOG = System.getLogger(ClusterTurnUsage.class.getName());
  /** How long a member's answer is waited for. */
  static final long TIMEOUT_MILLIS = 2000;

  private final Vertx vertx;
  private final ClusterMembership membership;
  private final String nodeId;
  private final NodeTurnUsage local;

  public ClusterTurnUsage(Vertx vertx, ClusterMembership membership, String nodeId, NodeTurnUsage local) {
    this.vertx = vertx;
    this.membership = membership;
    this.nodeId = nodeId;
    this.local = local;
  }

  /** Answers the other members' questions about this node's usage; done once every member can reach it. */
  public Future<Void> start() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.nodeTurnUsage(nodeId), this::answer).completion();
  }

  private void answer(Message<JsonObject> message) {
    Object room = message.body() == null ? null : message.body().getValue("room");
    if (!(room instanceof String name) || !TokenVerifier.ROOM_NAME.matcher(name).matches()) {
      message.fail(400, "no valid room");
      return;
    }
    local.local(name).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result().toJson());
      } else {
        message.fail(500, ar.cause().toString());
      }
    });
  }

  @Override
  public Future<JsonObject> roomUsage(String room) {
    List<Future<RoomUsage>> answers = new ArrayList<>();
    for (String node : membership.liveNodes()) {
      answers.add(node.equals(nodeId) ? local.local(room) : ask(node, room));
    }
    if (answers.isEmpty()) {
      answers.add(local.local(room)); // membership is gone (shutting down): this node's own count still stands
    }
    return Future.join(answers).transform(ignored -> {
      RoomUsage total = new RoomUsage();
      for (Future<RoomUsage> answer : answers) {
        if (answer.succeeded()) {
          total.merge(answer.result());
        } else {
          total.markIncomplete();
        }
      }
      return Future.succeededFuture(total.toJson());
    });
  }

  private Future<RoomUsage> ask(String node, String room) {
    return vertx.eventBus().<JsonObject>request(Addresses.nodeTurnUsage(node), new JsonObject().put("room", room),
        new DeliveryOptions().setSendTimeout(TIMEOUT_MILLIS))
      .map(reply -> RoomUsage.fromJson(reply.body()))
      .onFailure(e -> LOG.log(System.Logger.Level.WARNING, "TURN usage of node {0} left out: {1}", node,
        e.toString()));
  }
}
