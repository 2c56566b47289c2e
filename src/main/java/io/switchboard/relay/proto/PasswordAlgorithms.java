package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * PASSWORD-ALGORITHMS (RFC 8489 section 14.11): the algorithms the server supports, in its order of preference,
 * each as (algorithm, parameter length, parameters padded to four bytes).
 */
public final class PasswordAlgorithms {

  private PasswordAlgorithms() {
  }

  public static List<Integer> read(StunMessage message) {
    int index = message.find(AttributeType.PASSWORD_ALGORITHMS);
    if (index < 0) {
      return null;
    }
    ByteBuf buf = message.buffer();
    int at = message.valueOffset(index);
    int end = at + message.valueLength(index);
    List<Integer> algorithms = new ArrayList<>();
    while (at < end) {
      if (end - at < 4) {
        throw new MalformedMessageException("PASSWORD-ALGORITHMS truncated");
      }
      int algorithm = buf.getUnsignedShort(at);
      int paramLength = (buf.getUnsignedShort(at + 2) + 3) & ~3;
      if (paramLength > end - at - 4) {
        throw new MalformedMessageException("PASSWORD-ALGORITHMS parameters run past the attribute");
      }
      algorithms.add(algorithm);
      at += 4 + paramLength;
    }
    return algorithms;
  }

  /** Writes the raw value bytes of the attribute at {@code index} to compare with what the server sent. */
  public static boolean valueEquals(StunMessage message, int[] algorithms) {
    int index = message.find(AttributeType.PASSWORD_ALGORITHMS);
    if (index < 0 || message.valueLength(index) != 4 * algorithms.length) {
      return false;
    }
    for (int i = 0; i < algorithms.length; i++) {
      if (message.buffer().getInt(message.valueOffset(index) + 4 * i) != algorithms[i] << 16) {
        return false;
      }
    }
    return true;
  }

  public static void write(MessageWriter writer, int[] algorithms) {
    writer.header(AttributeType.PASSWORD_ALGORITHMS, 4 * algorithms.length);
    for (int algorithm : algorithms) {
      writer.buffer().writeShort(algorithm).writeShort(0);
    }
    writer.pad(0);
  }
}
