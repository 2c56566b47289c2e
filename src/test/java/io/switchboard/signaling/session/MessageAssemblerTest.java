package io.switchboard.signaling.session;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("MessageAssembler: WebSocket fragments to bounded messages")
class MessageAssemblerTest {

  private static WebSocketFrame text(String s, boolean fin) {
    return new TextWebSocketFrame(fin, 0, s);
  }

  private static WebSocketFrame binary(byte[] bytes, boolean fin) {
    return new BinaryWebSocketFrame(fin, 0, Unpooled.wrappedBuffer(bytes));
  }

  private static WebSocketFrame continuation(String s, boolean fin) {
    return new ContinuationWebSocketFrame(fin, 0, s);
  }

  private static WebSocketFrame continuation(byte[] bytes, boolean fin) {
    return new ContinuationWebSocketFrame(fin, 0, Unpooled.wrappedBuffer(bytes));
  }

  private static String content(MessageAssembler.Message message) {
    return new String(message.bytes(), 0, message.length(), StandardCharsets.UTF_8);
  }

  private static void assertText(String expected, MessageAssembler.Message message) {
    assertNotNull(message, "a final frame completes a message");
    assertFalse(message.binary());
    assertFalse(message.oversized());
    assertEquals(expected, content(message));
  }

  private static void assertOversizedWithNothingKept(MessageAssembler.Message message) {
    assertNotNull(message, "an oversized message is still reported, once, on its last fragment");
    assertTrue(message.oversized());
    assertNull(message.bytes(), "no bytes of an oversized message are kept");
    assertEquals(0, message.length());
  }

  @Test
  @DisplayName("a single final text frame is one message")
  void singleFrame() {
    assertText("{\"type\":\"ping\"}", new MessageAssembler(1024).append(text("{\"type\":\"ping\"}", true)));
  }

  @Test
  @DisplayName("an empty final frame is an empty message")
  void emptyFrame() {
    MessageAssembler.Message message = new MessageAssembler(1024).append(text("", true));
    assertNotNull(message);
    assertEquals(0, message.length());
    assertFalse(message.oversized());
  }

  @Test
  @DisplayName("fragments are joined in order; nothing is returned before the final one")
  void fragmentedText() {
    MessageAssembler assembler = new MessageAssembler(1024);
    assertNull(assembler.append(text("{\"type\":", false)));
    assertNull(assembler.append(continuation("\"pi", false)));
    assertNull(assembler.append(continuation("", false)));
    assertText("{\"type\":\"ping\"}", assembler.append(continuation("ng\"}", true)));
  }

  @Test
  @DisplayName("a multi-byte character split across fragments is reassembled")
  void splitCharacter() {
    byte[] bytes = "caf\u00e9 \ud83d\ude00".getBytes(StandardCharsets.UTF_8);
    MessageAssembler assembler = new MessageAssembler(1024);
    assertNull(assembler.append(text("", false)));
    for (int i = 0; i < bytes.length - 1; i++) {
      assertNull(assembler.append(continuation(new byte[] {bytes[i]}, false)));
    }
    assertText("caf\u00e9 \ud83d\ude00", assembler.append(continuation(new byte[] {bytes[bytes.length - 1]}, true)));
  }

  @Test
  @DisplayName("many fragments beyond the initial buffer are joined intact")
  void manyFragments() {
    MessageAssembler assembler = new MessageAssembler(64 * 1024);
    StringBuilder expected = new StringBuilder();
    assertNull(assembler.append(text("start-", false)));
    expected.append("start-");
    for (int i = 0; i < 100; i++) {
      String chunk = String.valueOf((char) ('a' + i % 26)).repeat(317);
      assertNull(assembler.append(continuation(chunk, false)));
      expected.append(chunk);
    }
    assertText(expected + "end", assembler.append(continuation("end", true)));
  }

  @Nested
  @DisplayName("binary flag")
  class BinaryFlag {

    @Test
    @DisplayName("a binary frame is a binary message with its bytes")
    void binaryFrame() {
      byte[] bytes = {0, 1, 2, (byte) 0xff};
      MessageAssembler.Message message = new MessageAssembler(1024).append(binary(bytes, true));
      assertTrue(message.binary());
      assertArrayEquals(bytes, Arrays.copyOf(message.bytes(), message.length()));
    }

    @Test
    @DisplayName("continuations of a binary frame keep the message binary")
    void fragmentedBinary() {
      MessageAssembler assembler = new MessageAssembler(1024);
      assertNull(assembler.append(binary(new byte[] {1}, false)));
      MessageAssembler.Message message = assembler.append(continuation(new byte[] {2}, true));
      assertTrue(message.binary());
      assertArrayEquals(new byte[] {1, 2}, Arrays.copyOf(message.bytes(), message.length()));
    }

    @Test
    @DisplayName("a text message after a binary one is text again")
    void resetsPerMessage() {
      MessageAssembler assembler = new MessageAssembler(1024);
      assertTrue(assembler.append(binary(new byte[] {1}, true)).binary());
      assertText("x", assembler.append(text("x", true)));
    }
  }

  @Nested
  @DisplayName("size limit")
  class Limit {

    @Test
    @DisplayName("a single frame of exactly the limit is accepted")
    void exactlyLimit() {
      assertText("x".repeat(16), new MessageAssembler(16).append(text("x".repeat(16), true)));
    }

    @Test
    @DisplayName("a single frame over the limit is oversized, with no bytes kept")
    void oversizedSingle() {
      assertOversizedWithNothingKept(new MessageAssembler(16).append(text("x".repeat(17), true)));
    }

    @Test
    @DisplayName("fragments adding up to exactly the limit are accepted")
    void fragmentsExactlyLimit() {
      MessageAssembler assembler = new MessageAssembler(10);
      assembler.append(text("12345", false));
      assertText("1234567890", assembler.append(continuation("67890", true)));
    }

    @Test
    @DisplayName("fragments going over the limit are oversized; later fragments are not buffered")
    void oversizedFragmented() {
      MessageAssembler assembler = new MessageAssembler(10);
      assertNull(assembler.append(text("123456", false)));
      assertNull(assembler.append(continuation("789012", false)));
      assertNull(assembler.append(continuation("x".repeat(100), false)));
      assertOversizedWithNothingKept(assembler.append(continuation("y", true)));
    }

    @Test
    @DisplayName("an oversized first fragment stays oversized even if the rest is small")
    void oversizedFirstFragment() {
      MessageAssembler assembler = new MessageAssembler(10);
      assertNull(assembler.append(text("x".repeat(11), false)));
      assertOversizedWithNothingKept(assembler.append(continuation("", true)));
    }

    @Test
    @DisplayName("the message after an oversized one is handled normally")
    void recoversAfterOversized() {
      MessageAssembler assembler = new MessageAssembler(10);
      assembler.append(text("x".repeat(11), false));
      assembler.append(continuation("y", true));
      assertText("ok", assembler.append(text("ok", true)));
      assembler.append(text("12345", false));
      assertText("12345abc", assembler.append(continuation("abc", true)));
    }
  }

  @Nested
  @DisplayName("protocol oddities")
  class Oddities {

    @Test
    @DisplayName("a continuation without a start is ignored")
    void continuationWithoutStart() {
      MessageAssembler assembler = new MessageAssembler(1024);
      assertNull(assembler.append(continuation("orphan", true)));
      assertNull(assembler.append(continuation("orphan", false)));
      assertText("next", assembler.append(text("next", true)));
    }

    @Test
    @DisplayName("a continuation after a completed message is ignored")
    void continuationAfterFinal() {
      MessageAssembler assembler = new MessageAssembler(1024);
      assertText("done", assembler.append(text("done", true)));
      assertNull(assembler.append(continuation("late", true)));
    }

    @Test
    @DisplayName("a new data frame abandons an unfinished message")
    void newStartAbandonsUnfinished() {
      MessageAssembler assembler = new MessageAssembler(1024);
      assertNull(assembler.append(text("abandoned", false)));
      assertText("fresh", assembler.append(text("fresh", true)));
    }

    @Test
    @DisplayName("a new data frame after an oversized unfinished message is not oversized")
    void newStartAfterOversizedUnfinished() {
      MessageAssembler assembler = new MessageAssembler(10);
      assertNull(assembler.append(text("x".repeat(11), false)));
      assertText("fresh", assembler.append(text("fresh", true)));
    }
  }

  @Test
  @DisplayName("release() drops the bytes of the last message")
  void release() {
    MessageAssembler assembler = new MessageAssembler(1024);
    MessageAssembler.Message message = assembler.append(text("hello", true));
    assertText("hello", message);
    assembler.release();
    assertNull(message.bytes());
    assertEquals(0, message.length());
    assertText("again", assembler.append(text("again", true)));
  }

  @Test
  @DisplayName("release() after a fragmented message drops its buffer too")
  void releaseFragmented() {
    MessageAssembler assembler = new MessageAssembler(1024);
    assembler.append(text("hel", false));
    MessageAssembler.Message message = assembler.append(continuation("lo", true));
    assertText("hello", message);
    assembler.release();
    assertNull(message.bytes());
    assertEquals(0, message.length());
  }
}
