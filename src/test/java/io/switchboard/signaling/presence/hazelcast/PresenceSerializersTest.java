package io.switchboard.signaling.presence.hazelcast;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.internal.serialization.impl.HeapData;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import io.switchboard.config.SwitchboardConfig.DuplicateIdentity;
import io.switchboard.signaling.presence.MemberRecord;
import io.switchboard.signaling.presence.RoomChange;
import io.switchboard.signaling.presence.RoomOperation;
import io.switchboard.signaling.presence.RoomOperations;
import io.switchboard.signaling.presence.RoomRecord;
import io.switchboard.signaling.presence.Seat;
import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.session.Ids;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("PresenceSerializers: presence types cross between members without Java serialization")
class PresenceSerializersTest {

  private static final InternalSerializationService SERVICE = service();

  private static InternalSerializationService service() {
    SerializationConfig config = new SerializationConfig();
    PresenceSerializers.all().forEach(config::addSerializerConfig);
    return new DefaultSerializationServiceBuilder().setConfig(config).build();
  }

  private static <T> T roundTrip(T value) {
    return SERVICE.toObject(SERVICE.toData(value));
  }

  private static MemberRecord member(String node) {
    return new MemberRecord(Ids.sessionId(), "alice", null, "viewer", "{\"a\":1}", node);
  }

  @Test
  @DisplayName("records, seats in grace and changes survive the trip")
  void records() {
    RoomRecord room = new RoomRecord(99);
    room.version(12);
    room.put(Seat.connected(member("n1"), "hash"));
    room.put(new Seat(member("n2"), LeaveReason.NODE_LOST, 1234, null, true));
    RoomRecord back = roundTrip(room);
    assertEquals(99, back.epoch());
    assertEquals(12, back.version());
    assertEquals(List.copyOf(room.seats()), List.copyOf(back.seats()));

    MemberRecord a = member("n1");
    MemberRecord b = member("n2");
    RoomChange change = new RoomChange("room-a", true, null, 99, 13,
      List.of(new RoomChange.Departure(a, LeaveReason.NODE_LOST)), List.of(b),
      List.of(new RoomChange.Moved(b, "n3")), List.of(b), Set.of("n1", "n2"), Map.of(a.id(), 55L));
    assertEquals(change, roundTrip(change));
    RoomChange last = new RoomChange("room-a", true, null, 99, 14, List.of(new RoomChange.Departure(b,
      LeaveReason.LEFT)), List.of(), List.of(), null, Set.of("n2"), Map.of(), true);
    assertEquals(last, roundTrip(last), "emptied (the room's last change) crosses too");
    RoomChange refused = RoomChange.refused("room-a", RoomChange.Refusal.OTHER_IDENTITY);
    assertEquals(refused, roundTrip(refused));
  }

  @Test
  @DisplayName("every operation survives the trip inside its entry processor, with a Switchboard serializer")
  void operations() {
    MemberRecord a = member("n1");
    List<RoomOperation> operations = List.of(
      new RoomOperations.Join(Seat.connected(a, "h"), 100, DuplicateIdentity.REJECT, 5),
      new RoomOperations.Remove(a.id(), LeaveReason.KICKED, null),
      new RoomOperations.Suspend(a.id(), "n1", LeaveReason.DISCONNECTED, 77),
      new RoomOperations.Resume(a.id(), "alice", "old", "n2", "new", 88),
      new RoomOperations.Expire(a.id(), 99),
      new RoomOperations.MarkOverflow(a.id()),
      new RoomOperations.Purge(Set.of("n1"), 10, 20),
      new RoomOperations.Reassert("n1", List.of(Seat.connected(a, null)), Set.of(a.id()), 6));
    for (RoomOperation operation : operations) {
      RoomOperationProcessor processor = new RoomOperationProcessor(operation);
      Data data = SERVICE.toData(processor);
      assertTrue(data.getType() > 7000, operation + " uses a Switchboard serializer");
      assertEquals(processor, SERVICE.toObject(data));
    }
  }

  @Test
  @DisplayName("a stream claiming a negative or enormous count is refused before anything is allocated for it")
  void hostileCounts() {
    Data data = SERVICE.toData(new RoomOperationProcessor(new RoomOperations.Purge(Set.of("n1"), 1, 2)));
    byte[] bytes = data.toByteArray();
    // header: partition hash (4), type id (4); then the operation's tag (1) and the count of live nodes
    for (int count : new int[] {-1, Integer.MAX_VALUE}) {
      byte[] forged = bytes.clone();
      ByteBuffer.wrap(forged).putInt(9, count);
      assertThrows(HazelcastSerializationException.class, () -> SERVICE.toObject(new HeapData(forged)));
    }
  }

  @Test
  @DisplayName("an unknown operation tag is refused")
  void unknownTag() {
    byte[] forged = SERVICE.toData(new RoomOperationProcessor(new RoomOperations.MarkOverflow("x"))).toByteArray();
    forged[8] = 99;
    assertThrows(HazelcastSerializationException.class, () -> SERVICE.toObject(new HeapData(forged)));
  }
}
