package io.switchboard.signaling.presence;

/**
 * One atomic change to one room's record: the presence rules as plain code, with no store types. A
 * {@link RoomStore} runs it with the room's current record; in a cluster it runs on the partition that owns the
 * room and again on its backup, so an operation is deterministic: anything random or time-dependent (a new
 * room's epoch, the current time) comes from the caller. An operation changes the record only on the path that
 * commits ({@link RoomEntry#set}); one that refuses leaves it untouched.
 */
public interface RoomOperation {

  RoomChange apply(RoomEntry entry);

  /** The record an operation works on. */
  interface RoomEntry {

    String room();

    /** The room's record, or null when the room has no members. */
    RoomRecord value();

    /** Stores the record; null deletes the room (the next one of that name starts a new epoch). */
    void set(RoomRecord record);
  }
}
