package io.switchboard.signaling.presence.hazelcast;

import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import io.switchboard.cluster.FieldSerializer;
import io.switchboard.config.SwitchboardConfig.DuplicateIdentity;
import io.switchboard.signaling.presence.MemberRecord;
import io.switchboard.signaling.presence.RoomChange;
import io.switchboard.signaling.presence.RoomChange.Departure;
import io.switchboard.signaling.presence.RoomChange.Moved;
import io.switchboard.signaling.presence.RoomChange.Refusal;
import io.switchboard.signaling.presence.RoomOperation;
import io.switchboard.signaling.presence.RoomOperations;
import io.switchboard.signaling.presence.RoomRecord;
import io.switchboard.signaling.presence.Seat;
import io.switchboard.signaling.room.LeaveReason;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How presence's types cross between members (room records, operations and their results): explicit
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
    return List.of(
      FieldSerializer.config(MemberRecord.class, FIRST_TYPE_ID, PresenceSerializers::writeMember,
        PresenceSerializers::readMember),
      FieldSerializer.config(RoomRecord.class, FIRST_TYPE_ID + 1, PresenceSerializers::writeRoom,
        PresenceSerializers::readRoom),
      FieldSerializer.config(RoomChange.class, FIRST_TYPE_ID + 2, PresenceSerializers::writeChange,
        PresenceSerializers::readChange),
      FieldSerializer.config(RoomOperationProcessor.class, FIRST_TYPE_ID + 3,
        (out, p) -> writeOperation(out, p.operation()), in -> new RoomOperationProcessor(readOperation(in))));
  }

  // ---- operations: a tag, then the fields ----

  private static void writeOperation(ObjectDataOutput out, RoomOperation operation) throws IOException {
    if (operation instanceof RoomOperations.Join join) {
      out.writeByte(0);
      writeSeat(out, join.newcomer());
      out.writeInt(join.limit());
      out.writeString(join.policy().name());
      out.writeLong(join.epochIfNew());
    } else if (operation instanceof RoomOperations.Remove remove) {
      out.writeByte(1);
      out.writeString(remove.sessionId());
      writeReason(out, remove.reason());
      out.writeString(remove.heldBy());
    } else if (operation instanceof RoomOperations.Suspend suspend) {
      out.writeByte(2);
      out.writeString(suspend.sessionId());
      out.writeString(suspend.heldBy());
      writeReason(out, suspend.reason());
      out.writeLong(suspend.until());
    } else if (operation instanceof RoomOperations.Resume resume) {
      out.writeByte(3);
      out.writeString(resume.sessionId());
      out.writeString(resume.identity());
      out.writeString(resume.presentedHash());
      out.writeString(resume.node());
      out.writeString(resume.newResumeHash());
      out.writeLong(resume.now());
    } else if (operation instanceof RoomOperations.Expire expire) {
      out.writeByte(4);
      out.writeString(expire.sessionId());
      out.writeLong(expire.now());
    } else if (operation instanceof RoomOperations.MarkOverflow overflow) {
      out.writeByte(5);
      out.writeString(overflow.sessionId());
    } else if (operation instanceof RoomOperations.Purge purge) {
      out.writeByte(6);
      writeStrings(out, purge.liveNodes());
      out.writeLong(purge.now());
      out.writeLong(purge.graceMillis());
    } else if (operation instanceof RoomOperations.Reassert reassert) {
      out.writeByte(7);
      out.writeString(reassert.node());
      writeSeats(out, reassert.held());
      writeStrings(out, reassert.keep());
      out.writeLong(reassert.epochIfNew());
    } else {
      throw new HazelcastSerializationException("no serializer for " + operation.getClass().getName());
    }
  }

  private static RoomOperation readOperation(ObjectDataInput in) throws IOException {
    byte tag = in.readByte();
    return switch (tag) {
      case 0 -> new RoomOperations.Join(readSeat(in), in.readInt(), readPolicy(in), in.readLong());
      case 1 -> new RoomOperations.Remove(in.readString(), readReason(in), in.readString());
      case 2 -> new RoomOperations.Suspend(in.readString(), in.readString(), readReason(in), in.readLong());
      case 3 -> new RoomOperations.Resume(in.readString(), in.readString(), in.readString(), in.readString(),
        in.readString(), in.readLong());
      case 4 -> new RoomOperations.Expire(in.readString(), in.readLong());
      case 5 -> new RoomOperations.MarkOverflow(in.readString());
      case 6 -> new RoomOperations.Purge(readStrings(in), in.readLong(), in.readLong());
      case 7 -> new RoomOperations.Reassert(in.readString(), readSeats(in), readStrings(in), in.readLong());
      default -> throw new HazelcastSerializationException("unknown room operation " + tag);
    };
  }

  private static DuplicateIdentity readPolicy(ObjectDataInput in) throws IOException {
    String name = in.readString();
    try {
      return DuplicateIdentity.valueOf(name);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new HazelcastSerializationException("unknown duplicate-identity policy in a room operation");
    }
  }

  // ---- members, seats and rooms ----

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

  private static void writeSeat(ObjectDataOutput out, Seat seat) throws IOException {
    writeMember(out, seat.member());
    writeReason(out, seat.graceReason());
    out.writeLong(seat.graceUntil());
    out.writeString(seat.resumeHash());
    out.writeBoolean(seat.overflowed());
  }

  private static Seat readSeat(ObjectDataInput in) throws IOException {
    return new Seat(readMember(in), readReason(in), in.readLong(), in.readString(), in.readBoolean());
  }

  private static void writeSeats(ObjectDataOutput out, List<Seat> seats) throws IOException {
    out.writeInt(seats.size());
    for (Seat seat : seats) {
      writeSeat(out, seat);
    }
  }

  private static List<Seat> readSeats(ObjectDataInput in) throws IOException {
    int count = count(in);
    List<Seat> seats = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      seats.add(readSeat(in));
    }
    return List.copyOf(seats);
  }

  private static void writeRoom(ObjectDataOutput out, RoomRecord room) throws IOException {
    out.writeLong(room.epoch());
    out.writeLong(room.version());
    writeSeats(out, List.copyOf(room.seats()));
  }

  private static RoomRecord readRoom(ObjectDataInput in) throws IOException {
    RoomRecord room = new RoomRecord(in.readLong());
    room.version(in.readLong());
    for (Seat seat : readSeats(in)) {
      room.put(seat);
    }
    return room;
  }

  private static void writeChange(ObjectDataOutput out, RoomChange change) throws IOException {
    out.writeString(change.room());
    out.writeBoolean(change.changed());
    out.writeString(change.refusal() == null ? null : change.refusal().name());
    out.writeLong(change.epoch());
    out.writeLong(change.version());
    out.writeInt(change.left().size());
    for (Departure departure : change.left()) {
      writeMember(out, departure.member());
      writeReason(out, departure.reason());
    }
    writeMembers(out, change.joined());
    out.writeInt(change.moved().size());
    for (Moved moved : change.moved()) {
      writeMember(out, moved.member());
      out.writeString(moved.from());
    }
    out.writeBoolean(change.snapshot() != null);
    if (change.snapshot() != null) {
      writeMembers(out, change.snapshot());
    }
    writeStrings(out, change.audience());
    out.writeInt(change.graceEnds().size());
    for (Map.Entry<String, Long> end : change.graceEnds().entrySet()) {
      out.writeString(end.getKey());
      out.writeLong(end.getValue());
    }
    out.writeBoolean(change.emptied());
  }

  private static RoomChange readChange(ObjectDataInput in) throws IOException {
    String room = in.readString();
    boolean changed = in.readBoolean();
    Refusal refusal = readRefusal(in);
    long epoch = in.readLong();
    long version = in.readLong();
    int leftCount = count(in);
    List<Departure> left = new ArrayList<>(leftCount);
    for (int i = 0; i < leftCount; i++) {
      left.add(new Departure(readMember(in), readReason(in)));
    }
    List<MemberRecord> joined = readMembers(in);
    int movedCount = count(in);
    List<Moved> moved = new ArrayList<>(movedCount);
    for (int i = 0; i < movedCount; i++) {
      moved.add(new Moved(readMember(in), in.readString()));
    }
    List<MemberRecord> snapshot = in.readBoolean() ? readMembers(in) : null;
    Set<String> audience = readStrings(in);
    int endCount = count(in);
    Map<String, Long> graceEnds = new HashMap<>();
    for (int i = 0; i < endCount; i++) {
      graceEnds.put(in.readString(), in.readLong());
    }
    return new RoomChange(room, changed, refusal, epoch, version, List.copyOf(left), joined, List.copyOf(moved),
      snapshot, audience, Map.copyOf(graceEnds), in.readBoolean());
  }

  // ---- small parts ----

  private static Refusal readRefusal(ObjectDataInput in) throws IOException {
    String name = in.readString();
    try {
      return name == null ? null : Refusal.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new HazelcastSerializationException("unknown refusal in a presence record");
    }
  }

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
}
