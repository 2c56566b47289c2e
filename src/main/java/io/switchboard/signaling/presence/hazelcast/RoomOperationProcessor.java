package io.switchboard.signaling.presence.hazelcast;

import com.hazelcast.map.EntryProcessor;
import io.switchboard.signaling.presence.RoomChange;
import io.switchboard.signaling.presence.RoomOperation;
import io.switchboard.signaling.presence.RoomRecord;

import java.util.Map;

/**
 * A {@link RoomOperation} as Hazelcast runs it: on the partition that owns the room, one at a time per key,
 * and again on the backup (operations are deterministic, so both end up with the same record).
 */
record RoomOperationProcessor(RoomOperation operation) implements EntryProcessor<String, RoomRecord, RoomChange> {

  @Override
  public RoomChange process(Map.Entry<String, RoomRecord> entry) {
    return operation.apply(new RoomOperation.RoomEntry() {
      @Override
      public String room() {
        return entry.getKey();
      }

      @Override
      public RoomRecord value() {
        return entry.getValue();
      }

      @Override
      public void set(RoomRecord record) {
        entry.setValue(record);
      }
    });
  }
}
