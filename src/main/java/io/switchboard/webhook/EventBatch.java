package io.switchboard.webhook;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The events one committed room change produced, delivered together and in order. A room's changes are numbered
 * ({@code epoch}: one lifetime of the room, {@code version}: the change within it), and batches are delivered in
 * that order; {@link #key()} is unique per change, so a batch stored twice is still delivered once.
 *
 * @param createdAt when the producing node saw the change, epoch milliseconds; orders one room's lifetimes
 */
public record EventBatch(String room, long epoch, long version, long createdAt, List<JsonObject> events) {

  public EventBatch {
    events = List.copyOf(events);
  }

  /** {@code e<epoch>v<version>@<room>}: unique per change; everything after the first {@code @} is the room. */
  public String key() {
    return "e" + epoch + "v" + version + "@" + room;
  }

  /** The room's last change: its record is gone. */
  public boolean finishesRoom() {
    return !events.isEmpty() && WebhookEvents.ROOM_FINISHED.equals(events.get(events.size() - 1).getString("type"));
  }

  public String encode() {
    JsonArray list = new JsonArray();
    events.forEach(list::add);
    return new JsonObject().put("room", room).put("epoch", epoch).put("version", version)
      .put("createdAt", createdAt).put("events", list).encode();
  }

  /** The inverse of {@link #encode()}; only batches this code wrote are stored, by members of the cluster. */
  public static EventBatch decode(String json) {
    JsonObject object = new JsonObject(json);
    List<JsonObject> events = new ArrayList<>();
    for (Object event : object.getJsonArray("events")) {
      events.add((JsonObject) event);
    }
    return new EventBatch(object.getString("room"), object.getLong("epoch"), object.getLong("version"),
      object.getLong("createdAt"), events);
  }
}
