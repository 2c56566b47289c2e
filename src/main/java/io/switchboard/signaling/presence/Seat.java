package io.switchboard.signaling.presence;

import io.switchboard.signaling.room.LeaveReason;

/**
 * A member's place in a {@link RoomRecord}: who it is, and whether its session is connected or waiting in its
 * grace period for the client to resume it. Only the store holds seats; replicas and deltas carry the
 * {@link MemberRecord} alone, so resume secrets never travel between nodes.
 *
 * @param graceReason null while connected; else why the session went (disconnected, node-lost), which is what
 *                    the others are told if the grace period ends without a resume
 * @param graceUntil end of the grace period, epoch milliseconds of the node that set it (0 while connected)
 * @param resumeHash SHA-256 of the secret in the session's current resume token (base64url), or null
 * @param overflowed frames for it were dropped during the grace period: a resume can no longer be honoured
 */
public record Seat(MemberRecord member, LeaveReason graceReason, long graceUntil, String resumeHash,
                   boolean overflowed) {

  public static Seat connected(MemberRecord member, String resumeHash) {
    return new Seat(member, null, 0, resumeHash, false);
  }

  public boolean inGrace() {
    return graceReason != null;
  }

  public String id() {
    return member.id();
  }

  public String node() {
    return member.node();
  }

  Seat suspended(LeaveReason reason, long until) {
    return new Seat(member, reason, until, resumeHash, overflowed);
  }

  Seat withOverflow() {
    return new Seat(member, graceReason, graceUntil, resumeHash, true);
  }

  /** Resumed on {@code node}: connected again, with the hash of the new resume token. */
  Seat resumedOn(String node, String newResumeHash) {
    return new Seat(member.on(node), null, 0, newResumeHash, false);
  }
}
