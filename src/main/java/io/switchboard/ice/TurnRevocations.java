package io.switchboard.ice;

import io.switchboard.bus.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Revokes TURN credentials on every node's relay: a kicked or replaced participant must lose its relayed media
 * path at once, not when its credential expires. Published on the event bus (over mutual TLS between members),
 * where every relay instance of every node listens.
 */
public final class TurnRevocations {

  private final EventBus bus;

  public TurnRevocations(EventBus bus) {
    this.bus = bus;
  }

  /** Any thread. */
  public void revoke(String turnUsername) {
    bus.publish(Addresses.TURN_REVOCATIONS, new JsonObject().put("usernames", new JsonArray().add(turnUsername)));
  }
}
