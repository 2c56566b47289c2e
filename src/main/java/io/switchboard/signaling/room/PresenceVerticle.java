package io.switchboard.signaling.room;

import io.switchboard.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;

/**
 * Owns this node's {@link RoomRegistry}: every presence change runs on this verticle's event loop, so room
 * state needs no locks and changes happen in one order that everyone observes.
 */
public final class PresenceVerticle extends VerticleBase {

  private final RoomRegistry registry;

  public PresenceVerticle(RoomRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    PresenceCommand.registerCodecs(vertx.eventBus());
    return vertx.eventBus().<PresenceCommand>localConsumer(Addresses.PRESENCE, this::handle).completion();
  }

  private void handle(Message<PresenceCommand> message) {
    PresenceCommand command = message.body();
    if (command instanceof PresenceCommand.Join join) {
      try {
        message.reply(registry.join(join.participant(), join.endpoint()));
      } catch (RoomFullException full) {
        message.fail(PresenceCommand.ROOM_FULL, full.getMessage());
      }
    } else if (command instanceof PresenceCommand.Leave leave) {
      registry.leave(leave.room(), leave.sessionId(), leave.reason());
      message.reply(null);
    } else if (command instanceof PresenceCommand.Kick kick) {
      message.reply(registry.kick(kick.room(), kick.sessionId()));
    } else if (command instanceof PresenceCommand.DescribeRoom describe) {
      message.reply(registry.describeRoom(describe.room()));
    } else {
      message.reply(registry.describeRooms());
    }
  }
}
