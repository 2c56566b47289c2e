package io.switchboard.signaling.cluster;

import io.switchboard.signaling.room.LeaveReason;

import java.util.List;
import java.util.Set;

/**
 * What one entry processor did to a room: the result that travels back to the node that asked, and the
 * content of the presence delta that node sends on.
 *
 * @param refused the join was refused because the room is full (nothing changed)
 * @param changed false when the processor found nothing to do (no version was used)
 * @param left members removed by this change, all for {@code reason}
 * @param joined members added by this change
 * @param snapshot every member after the change (joins only; null otherwise)
 * @param audience nodes that must hear of the change: those holding members before or after it
 */
record RoomChange(String room, boolean refused, boolean changed, long epoch, long version, LeaveReason reason,
                  List<MemberRecord> left, List<MemberRecord> joined, List<MemberRecord> snapshot,
                  Set<String> audience) {

  static RoomChange refused(String room) {
    return new RoomChange(room, true, false, 0, 0, null, List.of(), List.of(), null, Set.of());
  }

  static RoomChange unchanged(String room) {
    return new RoomChange(room, false, false, 0, 0, null, List.of(), List.of(), null, Set.of());
  }
}
