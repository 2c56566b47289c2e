package io.switchboard.webhook;

import com.hazelcast.config.SerializerConfig;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import io.switchboard.cluster.FieldSerializer;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * Changes to one room's entry of the replicated outbox: its pending batches as a JSON object, batch key → encoded
 * batch. Run on the room's partition, one at a time, and again on the backup (both are deterministic).
 */
final class OutboxProcessors {

  private static final int FIRST_TYPE_ID = 7501;

  private OutboxProcessors() {
  }

  /** Adds a batch unless the room already holds it or holds {@code limit} batches; true when it is there now. */
  record Append(String key, String batch, int limit) implements EntryProcessor<String, String, Boolean> {

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      JsonObject pending = entry.getValue() == null ? new JsonObject() : new JsonObject(entry.getValue());
      if (pending.containsKey(key)) {
        return true;
      }
      if (pending.size() >= limit) {
        return false;
      }
      entry.setValue(pending.put(key, batch).encode());
      return true;
    }
  }

  /** Removes a delivered (or given up) batch; the room's entry goes with its last batch. */
  record Remove(String key) implements EntryProcessor<String, String, Void> {

    @Override
    public Void process(Map.Entry<String, String> entry) {
      if (entry.getValue() == null) {
        return null;
      }
      JsonObject pending = new JsonObject(entry.getValue());
      if (pending.remove(key) != null) {
        entry.setValue(pending.isEmpty() ? null : pending.encode());
      }
      return null;
    }
  }

  /** Whether the room's entry still holds a batch. Reads only: no backup, no change. */
  record Holds(String key) implements EntryProcessor<String, String, Boolean>, ReadOnly {

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      return entry.getValue() != null && new JsonObject(entry.getValue()).containsKey(key);
    }

    @Override
    public EntryProcessor<String, String, Boolean> getBackupProcessor() {
      return null;
    }
  }

  /** The pending batches of one room's entry, by key. */
  static Map<String, Object> batches(String value) {
    return value == null ? Map.of() : new JsonObject(value).getMap();
  }

  /** One entry per type, for {@code SerializationConfig}: these never go through Java serialization. */
  static List<SerializerConfig> serializers() {
    return List.of(
      config(Append.class, 0, (out, p) -> {
        out.writeString(p.key());
        out.writeString(p.batch());
        out.writeInt(p.limit());
      }, in -> new Append(in.readString(), in.readString(), in.readInt())),
      config(Remove.class, 1, (out, p) -> out.writeString(p.key()), in -> new Remove(in.readString())),
      config(Holds.class, 2, (out, p) -> out.writeString(p.key()), in -> new Holds(in.readString())));
  }

  private static <T> SerializerConfig config(Class<T> type, int offset, FieldSerializer.Writer<T> writer,
                                             FieldSerializer.Reader<T> reader) {
    return FieldSerializer.config(type, FIRST_TYPE_ID + offset, writer, reader);
  }
}
