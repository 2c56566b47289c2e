package io.switchboard.relay.usage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * What the TURN relays of the whole cluster accounted for one room: allocations, relayed bytes and allocation
 * time, in total and per participant. The admin API's room view and the {@code room_finished} webhook read it, so
 * neither needs to know how the relays count or where the counts live.
 */
public interface TurnUsageQuery {

  /**
   * The room's TURN usage as JSON (shape documented in docs/relay.md), or an object with zero totals and no
   * participants when no relay saw a credential of the room. Never fails for an unknown room.
   */
  Future<JsonObject> roomUsage(String room);
}
