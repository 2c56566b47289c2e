package io.switchboard.signaling.cluster;

import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.nio.serialization.StreamSerializer;
import io.switchboard.signaling.room.LeaveReason;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How presence's types cross between members (room records, entry processors and their results): explicit
 * field-by-field serializers, so that Hazelcast never needs Java serialization for them and a member only ever
 * decodes these shapes. Counts are checked before anything is allocated for them.
 */
public final class PresenceSerializers {

  /** More entries than any room or change can hold: a count beyond it is a corrupt or hostile stream. */
  static final int MAX_COUNT = 1_000_000;
  private static final int FIRST_TYPE_ID = 7301;

  private PresenceSerializers() {
  }

  /** One entry per type, for {@code SerializationConfig}. */
  public static List<SerializerConfig> all() {
    List<Serializer<?>> serializers = List.of(
      new Serializer<>(MemberRecord.class, 0, PresenceSerializers::writeMember, PresenceSerializers::readMember),
      new Serializer<>(RoomRecord.class, 1, PresenceSerializers::writeRoom, PresenceSerializers::readRoom),
      new Serializer<>(RoomChange.class, 2, PresenceSerializers::writeChange, PresenceSerializers::readChange),
      new Serializer<>(RoomProcessors.Join.class, 3, (out, join) -> {
        writeMember(out, join.newcomer());
        out.writeInt(join.limit());
        out.writeLong(join.epochIfNew());
      }, in -> new RoomProcessors.Join(readMember(in), in.readInt(), in.readLong())),
      new Serializer<>(RoomProcessors.Remove.class, 4, (out, remove) -> {
        out.writeString(remove.sessionId());
        writeReason(out, remove.reason());
      }, in -> new RoomProcessors.Remove(in.readString(), readReason(in))),
      new Serializer<>(RoomProcessors.Purge.class, 5, (out, purge) -> writeStrings(out, purge.liveNodes()),
        in -> new RoomProcessors.Purge(readStrings(in))),
      new Serializer<>(RoomProcessors.Reassert.class, 6, (out, reassert) -> {
        out.writeString(reassert.node());
        writeMembers(out, reassert.held());
        writeStrings(out, reassert.keep());
        out.writeLong(reassert.epochIfNew());
      }, in -> new RoomProcessors.Reassert(in.readString(), readMembers(in), readStrings(in), in.readLong())));
    List<SerializerConfig> configs = new ArrayList<>();
    serializers.forEach(s -> configs.add(new SerializerConfig().setTypeClass(s.type).setImplementation(s)));
    return configs;
  }

  // ---- members and rooms ----

  private static void writeMember(ObjectDataOutput out, MemberRecord m) throws IOException {
    out.writeString(m.id());
    out.writeString(m.identity());
    out.writeString(m.name());
    out.writeString(m.role());
    out.writeString(m.meta());
    out.writeString(m.node());
  }

  private static MemberRecord readMember(ObjectDataInput in) throws IOException {
    return new MemberRecord(in.readString(), in.readString(), in.readString(), in.readString(), in.readString(),
      in.readString());
  }

  private static void writeMembers(ObjectDataOutput out, List<MemberRecord> members) throws IOException {
    out.writeInt(members.size());
    for (MemberRecord m : members) {
      writeMember(out, m);
    }
  }

  private static List<MemberRecord> readMembers(ObjectDataInput in) throws IOException {
    int count = count(in);
    List<MemberRecord> members = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      members.add(readMember(in));
    }
    return List.copyOf(members);
  }

  private static void writeRoom(ObjectDataOutput out, RoomRecord room) throws IOException {
    out.writeLong(room.epoch);
    out.writeLong(room.version);
    writeMembers(out, room.snapshot());
  }

  private static RoomRecord readRoom(ObjectDataInput in) throws IOException {
    RoomRecord room = new RoomRecord(in.readLong());
    room.version = in.readLong();
    for (MemberRecord m : readMembers(in)) {
      room.members.put(m.id(), m);
    }
    return room;
  }

  private static void writeChange(ObjectDataOutput out, RoomChange change) throws IOException {
    out.writeString(change.room());
    out.writeBoolean(change.refused());
    out.writeBoolean(change.changed());
    out.writeLong(change.epoch());
    out.writeLong(change.version());
    writeReason(out, change.reason());
    writeMembers(out, change.left());
    writeMembers(out, change.joined());
    out.writeBoolean(change.snapshot() != null);
    if (change.snapshot() != null) {
      writeMembers(out, change.snapshot());
    }
    writeStrings(out, change.audience());
  }

  private static RoomChange readChange(ObjectDataInput in) throws IOException {
    return new RoomChange(in.readString(), in.readBoolean(), in.readBoolean(), in.readLong(), in.readLong(),
      readReason(in), readMembers(in), readMembers(in), in.readBoolean() ? readMembers(in) : null, readStrings(in));
  }

  // ---- small parts ----

  private static void writeReason(ObjectDataOutput out, LeaveReason reason) throws IOException {
    out.writeString(reason == null ? null : reason.name());
  }

  private static LeaveReason readReason(ObjectDataInput in) throws IOException {
    String name = in.readString();
    try {
      return name == null ? null : LeaveReason.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new HazelcastSerializationException("unknown leave reason in a presence record");
    }
  }

  private static void writeStrings(ObjectDataOutput out, Set<String> strings) throws IOException {
    out.writeInt(strings.size());
    for (String s : strings) {
      out.writeString(s);
    }
  }

  private static Set<String> readStrings(ObjectDataInput in) throws IOException {
    int count = count(in);
    Set<String> strings = new HashSet<>();
    for (int i = 0; i < count; i++) {
      strings.add(in.readString());
    }
    return Set.copyOf(strings);
  }

  private static int count(ObjectDataInput in) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > MAX_COUNT) {
      throw new HazelcastSerializationException("presence record with " + count + " entries refused");
    }
    return count;
  }

  // ---- plumbing ----

  @FunctionalInterface
  private interface Writer<T> {
    void write(ObjectDataOutput out, T value) throws IOException;
  }

  @FunctionalInterface
  private interface Reader<T> {
    T read(ObjectDataInput in) throws IOException;
  }

  private record Serializer<T>(Class<T> type, int offset, Writer<T> writer, Reader<T> reader)
    implements StreamSerializer<T> {

    @Override
    public void write(ObjectDataOutput out, T value) throws IOException {
      writer.write(out, value);
    }

    @Override
    public T read(ObjectDataInput in) throws IOException {
      return reader.read(in);
    }

    @Override
    public int getTypeId() {
      return FIRST_TYPE_ID + offset;
    }
  }
}
