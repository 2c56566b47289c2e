package io.switchboard.signaling.room;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class ParticipantTest {

  private static final String ID = "AAAAAAAAAAAAAAAAAAAAAA";

  @Test
  @DisplayName("the peer JSON built per call equals the peer object, for escaped names, null names and nested meta")
  void peerJsonIsThePeerObject() {
    JsonObject meta = new JsonObject().put("avatar", "a\"b\\c\u2028").put("n", new JsonObject().put("x", 1));
    for (String name : new String[] {"Alice \"A\" <script>", null, ""}) {
      Participant p = new Participant(ID, "room", "alice", name, Role.VIEWER, meta, "node-1");
      assertEquals(p.peerObject(), new JsonObject(p.peerJson()));
      assertEquals(p.peerObject().encode(), p.peerJson());
      assertEquals(meta, p.peerObject().getJsonObject("meta"));
    }
  }

  @Test
  @DisplayName("meta is kept encoded and shared: an empty one is one constant, a copy under another id is the same")
  void metaIsKeptEncodedOnce() {
    Participant empty = new Participant(ID, "room", "bob", "Bob", Role.PUBLISHER, new JsonObject(), "node-1");
    Participant other = new Participant(ID, "room", "eve", "Eve", Role.PUBLISHER, new JsonObject(), "node-1");
    assertSame(empty.metaJson(), other.metaJson());
    assertEquals("{\"id\":\"" + ID + "\",\"identity\":\"bob\",\"name\":\"Bob\",\"role\":\"publisher\",\"meta\":{}}",
      empty.peerJson());
    Participant resumed = empty.withId("BBBBBBBBBBBBBBBBBBBBBB");
    assertSame(empty.metaJson(), resumed.metaJson());
    assertEquals("BBBBBBBBBBBBBBBBBBBBBB", resumed.peerObject().getString("id"));

    Participant fromRecord = Participant.withEncodedMeta(ID, "room", "carol", null, Role.VIEWER, "{\"k\":[1,2]}",
      "node-2");
    assertEquals(new JsonObject().put("k", new JsonArray().add(1).add(2)),
      fromRecord.peerObject().getJsonObject("meta"));
    assertEquals(fromRecord.peerObject().encode(), fromRecord.peerJson());
  }
}
