package io.switchboard.relay.proto;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.HexFormat;
import java.util.function.Consumer;

/** Test helpers: hex, and building a message with the real writer. */
final class Bytes {

  static final byte[] TX = HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae");

  private Bytes() {
  }

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
  }

  static StunMessage decode(byte[] bytes) {
    return StunMessage.decode(Unpooled.wrappedBuffer(bytes));
  }

  /** A message of {@code method}/{@code cls} with whatever {@code body} writes, as bytes. */
  static byte[] build(int method, MessageClass cls, Consumer<MessageWriter> body) {
    ByteBuf out = Unpooled.buffer();
    MessageWriter writer = MessageWriter.start(out, method, cls, TX);
    body.accept(writer);
    return ByteBufUtil.getBytes(out);
  }

  static StunMessage request(Consumer<MessageWriter> body) {
    return decode(build(Method.BINDING, MessageClass.REQUEST, body));
  }
}
