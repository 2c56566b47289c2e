package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 text attributes with a byte limit (USERNAME, REALM, NONCE, SOFTWARE, reason phrases). */
final class Text {

  private Text() {
  }

  /** The value of attribute {@code index} as text; malformed when longer than {@code maxBytes} or not UTF-8. */
  static String read(StunMessage message, int index, int maxBytes, String name) {
    int length = message.valueLength(index);
    if (length > maxBytes) {
      throw new MalformedMessageException(name + " longer than " + maxBytes + " bytes");
    }
    return decode(message.buffer(), message.valueOffset(index), length, name);
  }

  static String decode(ByteBuf buf, int offset, int length, String name) {
    ByteBuffer bytes = buf.nioBuffer(offset, length);
    try {
      return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(bytes).toString();
    } catch (CharacterCodingException e) {
      throw new MalformedMessageException(name + " is not UTF-8");
    }
  }

  static void write(MessageWriter writer, int type, String value, int maxBytes, String name) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > maxBytes) {
      throw new IllegalArgumentException(name + " longer than " + maxBytes + " bytes");
    }
    writer.attribute(type, bytes);
  }
}
