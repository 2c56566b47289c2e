package io.switchboard.cluster;

import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;

import java.io.IOException;

/**
 * A Hazelcast serializer written field by field: everything Switchboard puts into Hazelcast goes through one, so
 * nothing is ever deserialized by Java serialization (the members' deserialization allow-list refuses it). Each
 * user keeps its own block of type ids.
 */
public final class FieldSerializer {

  private FieldSerializer() {
  }

  /** Writes one value's fields. */
  @FunctionalInterface
  public interface Writer<T> {
    void write(ObjectDataOutput out, T value) throws IOException;
  }

  /** Reads what the writer wrote, in the same order. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(ObjectDataInput in) throws IOException;
  }

  /** The serializer of {@code type}, registered under {@code typeId}. */
  public static <T> SerializerConfig config(Class<T> type, int typeId, Writer<T> writer, Reader<T> reader) {
    return new SerializerConfig().setTypeClass(type).setImplementation(new StreamSerializer<T>() {
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
        return typeId;
      }
    });
  }
}
