package io.switchboard.signaling.cluster;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.internal.serialization.impl.HeapData;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.session.Ids;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
  @DisplayName("records, changes and every processor survive the trip; none is written with Java serialization")
  void roundTrips() {
    RoomRecord room = new RoomRecord(99);
    room.version = 12;
    MemberRecord a = member("n1");
    MemberRecord b = member("n2");
    room.members.put(a.id(), a);
    room.members.put(b.id(), b);
    RoomRecord back = roundTrip(room);
    assertEquals(99, back.epoch);
    assertEquals(12, back.version);
    assertEquals(room.members, back.members);

    RoomChange change = new RoomChange("room-a", false, true, 99, 13, LeaveReason.NODE_LOST, List.of(a),
      List.of(b), List.of(b), Set.of("n1", "n2"));
    assertEquals(change, roundTrip(change));
    RoomChange refused = RoomChange.refused("room-a");
    assertEquals(refused, roundTrip(refused));

    List<Object> processors = List.of(new RoomProcessors.Join(a, 100, 5),
      new RoomProcessors.Remove(a.id(), LeaveReason.KICKED), new RoomProcessors.Purge(Set.of("n1")),
      new RoomProcessors.Reassert("n1", List.of(a), Set.of(a.id()), 6));
    for (Object processor : processors) {
      Data data = SERVICE.toData(processor);
      assertEquals(true, data.getType() > 7000, processor + " uses a Switchboard serializer");
      assertEquals(processor, SERVICE.toObject(data));
    }
  }

  @Test
  @DisplayName("a stream claiming a negative or enormous count is refused before anything is allocated for it")
  void hostileCounts() {
    Data data = SERVICE.toData(new RoomProcessors.Purge(Set.of("n1")));
    byte[] bytes = data.toByteArray();
    // header: partition hash (4), type id (4); then the count this serializer wrote first
    for (int count : new int[] {-1, Integer.MAX_VALUE}) {
      byte[] forged = bytes.clone();
      ByteBuffer.wrap(forged).putInt(8, count);
      assertThrows(HazelcastSerializationException.class, () -> SERVICE.toObject(new HeapData(forged)));
    }
  }
}
