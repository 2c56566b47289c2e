package io.switchboard.webhook;

import io.switchboard.signaling.presence.MemberRecord;
import io.switchboard.signaling.presence.RoomChange;
import io.switchboard.signaling.session.Ids;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What receivers are told about one committed room change: the JSON events, in the order they happened. Shapes
 * are documented in docs/webhooks.md.
 */
public final class WebhookEvents {

  public static final String ROOM_STARTED = "room_started";
  public static final String ROOM_FINISHED = "room_finished";
  public static final String PARTICIPANT_JOINED = "participant_joined";
  public static final String PARTICIPANT_LEFT = "participant_left";
  public static final String PARTICIPANT_RESUMED = "participant_resumed";
  /** Random bytes of an event id: 128 bits, so receivers can dedupe by id alone. */
  private static final int ID_BYTES = 16;

  private WebhookEvents() {
  }

  /**
   * The events of {@code change} (which used a version): the room starts with its first version, departures come
   * before arrivals (a replaced identity leaves before its newcomer joins), and the room finishes with the change
   * that removed its last member.
   */
  public static EventBatch of(RoomChange change, long nowMillis) {
    List<JsonObject> events = new ArrayList<>();
    if (change.version() == 1) {
      events.add(event(ROOM_STARTED, change, nowMillis));
    }
    for (RoomChange.Departure departure : change.left()) {
      events.add(event(PARTICIPANT_LEFT, change, nowMillis).put("participant", participant(departure.member()))
        .put("reason", departure.reason().wire()));
    }
    for (MemberRecord joined : change.joined()) {
      events.add(event(PARTICIPANT_JOINED, change, nowMillis).put("participant", participant(joined)));
    }
    for (RoomChange.Moved moved : change.moved()) {
      events.add(event(PARTICIPANT_RESUMED, change, nowMillis).put("participant", participant(moved.member())));
    }
    if (change.emptied()) {
      events.add(event(ROOM_FINISHED, change, nowMillis));
    }
    return new EventBatch(change.room(), change.epoch(), change.version(), nowMillis, events);
  }

  /**
   * The fields every event has. The epoch is a string: it is a 63-bit number, beyond what JavaScript's numbers
   * hold exactly.
   */
  private static JsonObject event(String type, RoomChange change, long nowMillis) {
    return new JsonObject()
      .put("id", Ids.random(ID_BYTES))
      .put("type", type)
      .put("createdAt", Instant.ofEpochMilli(nowMillis).toString())
      .put("room", change.room())
      .put("roomEpoch", Long.toString(change.epoch()))
      .put("roomVersion", change.version());
  }

  /** Who: what peers are shown of each other, never a token or resume hash. */
  private static JsonObject participant(MemberRecord member) {
    JsonObject participant = new JsonObject().put("id", member.id()).put("identity", member.identity())
      .put("role", member.role());
    if (member.name() != null) {
      participant.put("name", member.name());
    }
    if (member.meta() != null) {
      try {
        participant.put("meta", new JsonObject(member.meta()));
      } catch (DecodeException | ClassCastException e) {
        // a record presence itself ignores as malformed: the event goes without it
      }
    }
    return participant;
  }
}
