package io.switchboard.signaling.presence;

import io.switchboard.signaling.room.LeaveReason;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one {@link RoomOperation} did to a room: the result that travels back to the node that asked, and the
 * content of the presence delta that node sends on.
 *
 * @param changed a version was used: the replicas must apply this change (false: nothing they need to see)
 * @param refusal why the operation was refused, or null; a refused resume may still have changed the room (the
 *                session it named was removed)
 * @param left members removed, each with the reason its observers are told
 * @param joined members added
 * @param moved members now held by another node (a resume there): nobody is told, frames are re-routed
 * @param snapshot every member after the change (joins and resumes only; null otherwise)
 * @param audience nodes that must hear of the change: those holding members before or after it
 * @param graceEnds sessions in their grace period the caller must time: session id → end, epoch milliseconds
 * @param emptied the change removed the room's last member: the room's record is gone (webhooks' room_finished);
 *                a room is created by the change whose version is 1
 */
public record RoomChange(String room, boolean changed, Refusal refusal, long epoch, long version,
                         List<Departure> left, List<MemberRecord> joined, List<Moved> moved,
                         List<MemberRecord> snapshot, Set<String> audience, Map<String, Long> graceEnds,
                         boolean emptied) {

  /** A change that leaves members in the room (or a refusal). */
  public RoomChange(String room, boolean changed, Refusal refusal, long epoch, long version, List<Departure> left,
                    List<MemberRecord> joined, List<Moved> moved, List<MemberRecord> snapshot, Set<String> audience,
                    Map<String, Long> graceEnds) {
    this(room, changed, refusal, epoch, version, left, joined, moved, snapshot, audience, graceEnds, false);
  }

  /** Why an operation did not do what was asked. */
  public enum Refusal {
    ROOM_FULL,
    IDENTITY_TAKEN,
    /** No such session in the room, or the resume token does not match it. */
    UNKNOWN_SESSION,
    /** The resume token belongs to another identity. */
    OTHER_IDENTITY,
    /** The grace period is over. */
    EXPIRED,
    /** Frames for the session were dropped while it was away. */
    OVERFLOWED
  }

  /** A member that left, and what its observers are told. */
  public record Departure(MemberRecord member, LeaveReason reason) {
  }

  /** A member resumed on another node: {@code member} names the new node, {@code from} the one before. */
  public record Moved(MemberRecord member, String from) {
  }

  public static RoomChange refused(String room, Refusal refusal) {
    return new RoomChange(room, false, refusal, 0, 0, List.of(), List.of(), List.of(), null, Set.of(), Map.of());
  }

  public static RoomChange unchanged(String room) {
    return refused(room, null);
  }

  /** Nothing the replicas must see changed, but the caller has grace periods to time. */
  static RoomChange quiet(String room, Map<String, Long> graceEnds) {
    return new RoomChange(room, false, null, 0, 0, List.of(), List.of(), List.of(), null, Set.of(),
      Map.copyOf(graceEnds));
  }

  public boolean refused() {
    return refusal != null;
  }

  /** The same change, refused for {@code why} (a resume that removed the session it could not honour). */
  RoomChange refusedFor(Refusal why) {
    return new RoomChange(room, changed, why, epoch, version, left, joined, moved, snapshot, audience, graceEnds,
      emptied);
  }
}
