package io.switchboard.relay.usage;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("CredentialRooms: the room of a REST username, bound exactly, bounded, refused for hostile names")
class CredentialRoomsTest {

  private final AtomicLong now = new AtomicLong(1_000_000);

  @Test
  @DisplayName("a username is found exactly, whatever separators its identity holds; another username is not")
  void exact() {
    LocalCredentialRooms rooms = new LocalCredentialRooms(now::get);
    String tricky = "1001000:alice:room@b/c%20d";
    rooms.bind(tricky, "room-1", 1_001_000);
    rooms.bind("1001000:alice", "room-2", 1_001_000);
    assertEquals("room-1", rooms.room(tricky));
    assertEquals("room-2", rooms.room("1001000:alice"));
    assertNull(rooms.room("1001000:alice:room"));
    assertNull(rooms.room("1001001:alice"));
  }

  @Test
  @DisplayName("hostile usernames are not bound: no expiry, empty identity, non-digits, too long in bytes")
  void hostile() {
    String multiByteLong = "1001000:" + "é".repeat(260); // 268 characters, 528 bytes
    String maxLong = "1001000:" + "a".repeat(CredentialRooms.MAX_USERNAME_BYTES - 8);
    for (String username : new String[] {"alice", ":alice", "1001000:", "10x1000:alice", "1234567890123:a",
      multiByteLong, maxLong + "a", null}) {
      assertFalse(CredentialRooms.bindable(username), String.valueOf(username));
      LocalCredentialRooms rooms = new LocalCredentialRooms(now::get);
      rooms.bind(username, "room", 1_001_000);
      assertEquals(0, rooms.size(), String.valueOf(username));
    }
    assertTrue(CredentialRooms.bindable(maxLong));
  }

  @Test
  @DisplayName("a binding ends a minute after its credential expires")
  void expiry() {
    LocalCredentialRooms rooms = new LocalCredentialRooms(now::get);
    rooms.bind("1000100:alice", "room", 1_000_100);
    now.set(1_000_100 + CredentialRooms.SKEW_SECONDS - 1);
    assertEquals("room", rooms.room("1000100:alice"));
    now.incrementAndGet();
    assertNull(rooms.room("1000100:alice"));
    rooms.bind("1001000:bob", "room", 1_001_000);
    assertEquals(1, rooms.size(), "the expired binding went when another was added");
    assertEquals(0, rooms.evicted());
  }

  @Test
  @DisplayName("beyond the bound the oldest binding goes, counted")
  void bound() {
    LocalCredentialRooms rooms = new LocalCredentialRooms(now::get, 3);
    for (int i = 0; i < 5; i++) {
      rooms.bind("1001000:p" + i, "room", 1_001_000);
    }
    assertEquals(3, rooms.size());
    assertEquals(2, rooms.evicted());
    assertNull(rooms.room("1001000:p0"));
    assertEquals("room", rooms.room("1001000:p4"));
  }
}
