package io.switchboard.signaling.protocol;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

@DisplayName("FrameParser: client frames of PROTOCOL.md section 4")
class FrameParserTest {

  static ClientFrame parse(String json) throws FrameException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return FrameParser.parse(bytes, bytes.length);
  }

  static FrameException refused(String json) {
    return assertThrows(FrameException.class, () -> parse(json), json);
  }

  static FrameException refused(byte[] bytes) {
    return assertThrows(FrameException.class, () -> FrameParser.parse(bytes, bytes.length));
  }

  /** Valid frames used as the table below and as seeds of the mutation fuzz. */
  static Stream<Arguments> validFrames() {
    return Stream.of(
      arguments("offer", "{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 0.0.0.0\\r\\n\"}",
        FrameType.OFFER, "p1", null),
      arguments("answer", "{\"type\":\"answer\",\"to\":\"p2\",\"sdp\":\"v=0\"}", FrameType.ANSWER, "p2", null),
      arguments("candidate object",
        "{\"type\":\"candidate\",\"to\":\"p1\",\"candidate\":{\"candidate\":\"candidate:1 1 udp 1 1.2.3.4 5 typ host\","
          + "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}}", FrameType.CANDIDATE, "p1", null),
      arguments("candidate null (end of candidates)", "{\"type\":\"candidate\",\"to\":\"p1\",\"candidate\":null}",
        FrameType.CANDIDATE, "p1", null),
      arguments("message with data null", "{\"type\":\"message\",\"to\":\"p1\",\"data\":null}",
        FrameType.MESSAGE, "p1", null),
      arguments("message with data array", "{\"type\":\"message\",\"to\":\"p1\",\"data\":[1,\"two\",{\"three\":[3]}]}",
        FrameType.MESSAGE, "p1", null),
      arguments("message with data object", "{\"type\":\"message\",\"to\":\"p1\",\"data\":{\"chat\":\"hi\",\"n\":{}}}",
        FrameType.MESSAGE, "p1", null),
      arguments("message with data number", "{\"type\":\"message\",\"to\":\"p1\",\"data\":-1.5e3}",
        FrameType.MESSAGE, "p1", null),
      arguments("message with data string", "{\"type\":\"message\",\"to\":\"p1\",\"data\":\"text\"}",
        FrameType.MESSAGE, "p1", null),
      arguments("broadcast message", "{\"type\":\"message\",\"data\":{\"hello\":true}}", FrameType.MESSAGE, null, null),
      arguments("ping", "{\"type\":\"ping\"}", FrameType.PING, null, null),
      arguments("leave", "{\"type\":\"leave\"}", FrameType.LEAVE, null, null),
      arguments("ping with ref", "{\"type\":\"ping\",\"ref\":\"r-1\"}", FrameType.PING, null, "r-1"),
      arguments("to on ping is ignored", "{\"type\":\"ping\",\"to\":\"p1\"}", FrameType.PING, null, null),
      arguments("to on leave is ignored", "{\"to\":\"p1\",\"type\":\"leave\"}", FrameType.LEAVE, null, null),
      arguments("ref echoed into the frame", "{\"ref\":\"abc\",\"type\":\"offer\",\"to\":\"p1\",\"sdp\":\"x\"}",
        FrameType.OFFER, "p1", "abc"),
      arguments("ref of 256 characters", "{\"type\":\"ping\",\"ref\":\"" + "r".repeat(256) + "\"}",
        FrameType.PING, null, "r".repeat(256)),
      arguments("to before type", "{\"to\":\"p1\",\"sdp\":\"x\",\"type\":\"offer\"}", FrameType.OFFER, "p1", null),
      arguments("unknown extra fields",
        "{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":\"x\","
          + "\"extra\":{\"a\":[1,{\"to\":\"nested\"}]},\"n\":1,\"b\":false}",
        FrameType.OFFER, "p1", null),
      arguments("whitespace everywhere",
        " \r\n\t{ \"type\" :\t\"offer\" ,\n \"to\" : \"p1\" , \"sdp\" : \"x\" \r\n} \n\t", FrameType.OFFER, "p1", null),
      arguments("unicode in sdp",
        "{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":\"caf\u00e9 \u6771\u4eac \ud83d\ude00 \\u00e9 \\ud83d\\ude00\"}",
        FrameType.OFFER, "p1", null),
      arguments("escaped quotes and a fake to inside sdp",
        "{\"type\":\"offer\",\"sdp\":\"a=\\\"to\\\":\\\"evil\\\",\",\"to\":\"p1\"}", FrameType.OFFER, "p1", null),
      arguments("to with an escape", "{\"type\":\"answer\",\"to\":\"p\\u0031\",\"sdp\":\"x\"}",
        FrameType.ANSWER, "p1", null),
      arguments("to spelled with an escape in the name", "{\"type\":\"answer\",\"t\\u006f\":\"p1\",\"sdp\":\"x\"}",
        FrameType.ANSWER, "p1", null),
      arguments("UTF-8 byte order mark", "\ufeff{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":\"x\"}",
        FrameType.OFFER, "p1", null),
      arguments("message with an extra member named sdp holding an object",
        "{\"type\":\"message\",\"to\":\"p1\",\"data\":1,\"sdp\":{\"a\":1}}", FrameType.MESSAGE, "p1", null),
      arguments("from nested in data is not the server's from",
        "{\"type\":\"message\",\"data\":{\"from\":\"someone\"}}", FrameType.MESSAGE, null, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFrames")
  @DisplayName("valid frames are accepted with type, to and ref")
  void valid(String name, String json, FrameType type, String to, String ref) {
    ClientFrame frame;
    try {
      frame = parse(json);
    } catch (FrameException e) {
      fail("refused a valid frame (" + e.getMessage() + "): " + json);
      return;
    }
    assertEquals(type, frame.type());
    assertEquals(to, frame.to());
    assertEquals(ref, frame.ref());
    assertEquals(to != null, frame.directed());
    if (to != null) {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      String member = new String(bytes, frame.toMemberStart(), frame.toMemberEnd() - frame.toMemberStart(),
        StandardCharsets.UTF_8);
      assertTrue(member.matches("(?s)\"t(o|\\\\u006f)\"\\s*:\\s*\"[^\"]*\""),
        "toMemberStart/End must frame the to member exactly, got [" + member + "]");
    } else {
      assertEquals(-1, frame.toMemberStart());
      assertEquals(-1, frame.toMemberEnd());
    }
  }

  @Test
  @DisplayName("only the first length bytes of the array are parsed")
  void honoursLength() throws FrameException {
    byte[] bytes = "{\"type\":\"ping\"}GARBAGE".getBytes(StandardCharsets.UTF_8);
    assertEquals(FrameType.PING, FrameParser.parse(bytes, 15).type());
  }

  static Stream<Arguments> invalidFrames() {
    return Stream.of(notOneJsonObject(), badType(), badPayload(), badMembers(), tooDeep()).flatMap(cases -> cases);
  }

  /** Not exactly one JSON object. */
  private static Stream<Arguments> notOneJsonObject() {
    return Stream.of(
      arguments("not JSON", "hello", "not valid JSON", null),
      arguments("array", "[{\"type\":\"ping\"}]", "must be a JSON object", null),
      arguments("string", "\"ping\"", "must be a JSON object", null),
      arguments("number", "42", "must be a JSON object", null),
      arguments("null", "null", "must be a JSON object", null),
      arguments("empty", "", "must be a JSON object", null),
      arguments("only whitespace", " \n\t ", "must be a JSON object", null),
      arguments("two objects", "{\"ref\":\"r1\",\"type\":\"ping\"}{\"type\":\"ping\"}",
        "exactly one JSON object", "r1"),
      arguments("object then array", "{\"type\":\"ping\"} []", "exactly one JSON object", null),
      arguments("trailing garbage", "{\"ref\":\"r1\",\"type\":\"ping\"} x", "not valid JSON", "r1"),
      arguments("trailing comma", "{\"ref\":\"r1\",\"type\":\"ping\",}", "not valid JSON", "r1"),
      arguments("unterminated", "{\"ref\":\"r1\",\"type\":\"ping\"", "not valid JSON", "r1"),
      arguments("unterminated string", "{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":\"v=0", "not valid JSON", null),
      arguments("single quotes", "{'type':'ping'}", "not valid JSON", null),
      arguments("comment", "{\"type\":\"ping\" /* hi */}", "not valid JSON", null));
  }

  /** The type member missing, not a string or unknown. */
  private static Stream<Arguments> badType() {
    return Stream.of(
      arguments("missing type", "{\"ref\":\"r1\",\"to\":\"p1\"}", "type is missing", "r1"),
      arguments("type not a string", "{\"ref\":\"r1\",\"type\":1}", "type must be a string", "r1"),
      arguments("type null", "{\"ref\":\"r1\",\"type\":null}", "type must be a string", "r1"),
      arguments("type object", "{\"ref\":\"r1\",\"type\":{\"offer\":1}}", "type must be a string", "r1"),
      arguments("unknown type", "{\"type\":\"pong\",\"ref\":\"r1\"}", "unknown type", "r1"),
      arguments("type in upper case", "{\"type\":\"OFFER\",\"to\":\"p1\",\"sdp\":\"x\"}", "unknown type", null));
  }

  /** What the type needs: a to, a string sdp, a candidate object or null, data. */
  private static Stream<Arguments> badPayload() {
    return Stream.of(
      arguments("offer without to", "{\"type\":\"offer\",\"sdp\":\"x\",\"ref\":\"r1\"}", "offer needs to", "r1"),
      arguments("answer without to", "{\"type\":\"answer\",\"sdp\":\"x\"}", "answer needs to", null),
      arguments("candidate without to", "{\"type\":\"candidate\",\"candidate\":null}", "candidate needs to", null),
      arguments("offer without sdp", "{\"type\":\"offer\",\"to\":\"p1\",\"ref\":\"r1\"}",
        "offer needs a string sdp", "r1"),
      arguments("answer with sdp a number", "{\"type\":\"answer\",\"to\":\"p1\",\"sdp\":0}",
        "answer needs a string sdp", null),
      arguments("offer with sdp an object", "{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":{\"sdp\":\"x\"}}",
        "offer needs a string sdp", null),
      arguments("offer with sdp an array", "{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":[\"v=0\"]}",
        "offer needs a string sdp", null),
      arguments("offer with sdp null", "{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":null}",
        "offer needs a string sdp", null),
      arguments("candidate missing", "{\"type\":\"candidate\",\"to\":\"p1\",\"ref\":\"r1\"}",
        "candidate needs a candidate object or null", "r1"),
      arguments("candidate a string", "{\"type\":\"candidate\",\"to\":\"p1\",\"candidate\":\"candidate:1\"}",
        "candidate needs a candidate object or null", null),
      arguments("candidate an array", "{\"type\":\"candidate\",\"to\":\"p1\",\"candidate\":[]}",
        "candidate needs a candidate object or null", null),
      arguments("candidate a number", "{\"type\":\"candidate\",\"to\":\"p1\",\"candidate\":0}",
        "candidate needs a candidate object or null", null),
      arguments("message without data", "{\"type\":\"message\",\"to\":\"p1\",\"ref\":\"r1\"}",
        "message needs data", "r1"),
      arguments("broadcast without data", "{\"type\":\"message\"}", "message needs data", null));
  }

  /** Members given twice, of the wrong kind, too long, or the server's own (from). */
  private static Stream<Arguments> badMembers() {
    return Stream.of(
      arguments("duplicate type", "{\"ref\":\"r1\",\"type\":\"ping\",\"type\":\"ping\"}", "type appears twice", "r1"),
      arguments("duplicate to", "{\"ref\":\"r1\",\"type\":\"offer\",\"to\":\"a\",\"to\":\"b\",\"sdp\":\"x\"}",
        "to appears twice", "r1"),
      arguments("duplicate ref", "{\"ref\":\"r1\",\"type\":\"ping\",\"ref\":\"r2\"}", "ref appears twice", null),
      arguments("to not a string", "{\"ref\":\"r1\",\"type\":\"offer\",\"to\":5,\"sdp\":\"x\"}",
        "to must be a string", "r1"),
      arguments("to null", "{\"ref\":\"r1\",\"type\":\"offer\",\"to\":null,\"sdp\":\"x\"}",
        "to must be a string", "r1"),
      arguments("ref a number (not echoed)", "{\"ref\":7,\"type\":\"nope\"}", "ref must be a string", null),
      arguments("ref an object (not echoed)", "{\"type\":\"ping\",\"ref\":{\"a\":1}}", "ref must be a string", null),
      arguments("ref of 257 characters (not echoed)", "{\"type\":\"ping\",\"ref\":\"" + "r".repeat(257) + "\"}",
        "longer than 256", null),
      arguments("from present", "{\"ref\":\"r1\",\"type\":\"offer\",\"to\":\"p1\",\"from\":\"p2\",\"sdp\":\"x\"}",
        "from is set by the server", "r1"),
      arguments("from present on ping", "{\"type\":\"ping\",\"from\":null}", "from is set by the server", null));
  }

  /** Nesting deeper than the JSON parser allows: a refusal, never a stack overflow. */
  private static Stream<Arguments> tooDeep() {
    String deepArray = "{\"ref\":\"r1\",\"type\":\"message\",\"data\":" + "[".repeat(100_000);
    String deepClosedArray = "{\"type\":\"message\",\"data\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
    String deepObject = "{\"type\":\"message\",\"x\":" + "{\"a\":".repeat(50_000);
    return Stream.of(
      arguments("100000 unclosed [ in data", deepArray, "not valid JSON", "r1"),
      arguments("5000 nested, closed [ in data", deepClosedArray, "not valid JSON", null),
      arguments("50000 nested objects in an unknown field", deepObject, "not valid JSON", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFrames")
  @DisplayName("invalid frames are bad-message with a precise message and the ref echoed when known")
  void invalid(String name, String json, String messagePart, String ref) {
    FrameException e = refused(json);
    assertEquals(ErrorCode.BAD_MESSAGE, e.code());
    assertTrue(e.getMessage().contains(messagePart), "expected '" + messagePart + "' in: " + e.getMessage());
    assertEquals(ref, e.ref(), "ref echo");
  }

  @Test
  @DisplayName("error messages do not quote the client's input")
  void messagesDoNotQuoteInput() {
    for (String json : List.of("{\"type\":\"ping\" SECRETSTUFF}", "SECRETSTUFF", "{\"type\":\"SECRETSTUFF\"}",
      "{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":SECRETSTUFF}")) {
      FrameException e = refused(json);
      assertFalse(e.getMessage().contains("SECRETSTUFF"), e.getMessage());
    }
  }

  @ParameterizedTest(name = "{0} in {1}")
  @DisplayName("bytes that are not valid UTF-8 (RFC 3629) are bad-message, wherever they are")
  @CsvSource({
    "C328, sdp", "FF, sdp", "80, data",
    "C0AF, sdp", "C0AF, to", "E080AF, data",
    "EDA080, sdp", "EDBFBF, x",
    "F4908080, sdp", "F4908080, data",
  })
  void invalidUtf8(String hex, String member) {
    // C0AF and E080AF: overlong '/'; EDA080, EDBFBF: UTF-16 surrogates; F4908080: beyond U+10FFFF
    String head = member.equals("to") ? "{\"type\":\"offer\",\"sdp\":\"v\",\"to\":\""
      : "{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":\"v\",\"" + member + "\":\"";
    byte[] frame = concat(head.getBytes(StandardCharsets.UTF_8), HexFormat.of().parseHex(hex),
      "\"}".getBytes(StandardCharsets.UTF_8));
    FrameException e = refused(frame);
    assertEquals(ErrorCode.BAD_MESSAGE, e.code());
  }

  @Nested
  @DisplayName("frames that are not UTF-8 (PROTOCOL.md 1: one JSON object per frame, UTF-8)")
  class OtherEncodings {

    @ParameterizedTest(name = "{0}")
    @DisplayName("a frame encoded as UTF-16 or UTF-32 is refused, not parsed as if it were UTF-8")
    @ValueSource(strings = {"UTF-16BE", "UTF-16LE", "UTF-16", "UTF-32BE", "UTF-32LE"})
    void refusedOtherEncodings(String charset) {
      // UTF-16BE of ASCII JSON is also valid UTF-8 (every other byte is NUL), so it can arrive in a text frame.
      byte[] frame = "{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":\"v=0\"}".getBytes(Charset.forName(charset));
      try {
        ClientFrame parsed = FrameParser.parse(frame, frame.length);
        fail("accepted a " + charset + " frame as " + parsed + "; RelayFrame then splices at the wrong offsets: "
          + RelayFrame.rewrite(frame, frame.length, parsed, RelayFrame.fromPrefix("SENDER")));
      } catch (FrameException expected) {
        assertEquals(ErrorCode.BAD_MESSAGE, expected.code());
      }
    }
  }

  @Nested
  @DisplayName("ref echo does not depend on member order")
  class RefAfterTheProblem {

    /** PROTOCOL.md 4: "an error caused by that frame echoes it" — also when ref comes after the faulty member. */
    static Stream<Arguments> frames() {
      return Stream.of(
        arguments("to not a string", "{\"type\":\"offer\",\"to\":5,\"sdp\":\"x\",\"ref\":\"r9\"}"),
        arguments("from present", "{\"type\":\"offer\",\"from\":\"p2\",\"to\":\"p1\",\"sdp\":\"x\",\"ref\":\"r9\"}"),
        arguments("duplicate type", "{\"type\":\"ping\",\"type\":\"leave\",\"ref\":\"r9\"}"),
        arguments("type not a string", "{\"type\":42,\"ref\":\"r9\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    @DisplayName("a well-formed frame with a string ref gets it echoed even when ref is its last member")
    void refEchoedWhenLast(String name, String json) {
      FrameException e = refused(json);
      assertEquals("r9", e.ref(), e.getMessage());
    }

    @Test
    @DisplayName("ref after a problem found only at the end (missing field) is echoed")
    void refEchoedForValidationErrors() {
      assertEquals("r9", refused("{\"type\":\"offer\",\"to\":\"p1\",\"ref\":\"r9\"}").ref());
      assertEquals("r9", refused("{\"type\":\"nope\",\"ref\":\"r9\"}").ref());
    }
  }

  @Nested
  @DisplayName("fuzzing (fixed seed): parse returns a ClientFrame or throws FrameException, nothing else")
  class Fuzz {

    private static final List<byte[]> SEEDS = validFrames()
      .map(arguments -> ((String) arguments.get()[1]).getBytes(StandardCharsets.UTF_8))
      .toList();

    @Test
    @DisplayName("20,000 random inputs: random bytes, JSON-ish bytes, and frames with random string contents,"
      + " of which exactly those without an invalid piece are accepted")
    void randomBytes() {
      Random random = new Random(20_240_601L);
      int stringFrames = 0;
      int acceptedStrings = 0;
      for (int i = 0; i < 20_000; i++) {
        if (i % 3 == 2) {
          stringFrames++;
          if (randomStringFrame(random)) {
            acceptedStrings++;
          }
          continue;
        }
        byte[] bytes = new byte[random.nextInt(200)];
        random.nextBytes(bytes);
        if (i % 3 == 1 && bytes.length > 0) {
          bytes[0] = '{'; // get past the first token
          for (int j = 1; j < bytes.length; j++) {
            if (random.nextInt(3) > 0) {
              bytes[j] = JSONISH[random.nextInt(JSONISH.length)];
            }
          }
        }
        assertParsesOrRefuses(bytes, bytes.length);
      }
      // a generator whose inputs are all refused, or all accepted, would test one branch only
      assertTrue(acceptedStrings > stringFrames / 5 && acceptedStrings < stringFrames * 4 / 5,
        "accepted " + acceptedStrings + " of " + stringFrames + " frames with random string contents");
    }

    /**
     * A valid frame whose one string (a payload, or a member name) holds random pieces, each valid inside a JSON
     * string or invalid wherever it stands; asserts that the parser accepts it exactly when no piece is invalid.
     *
     * @return whether the frame was accepted
     */
    private static boolean randomStringFrame(Random random) {
      String[] envelope = ENVELOPES[random.nextInt(ENVELOPES.length)];
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.writeBytes(envelope[0].getBytes(StandardCharsets.UTF_8));
      boolean valid = true;
      for (int n = random.nextInt(12); n >= 0; n--) {
        if (random.nextInt(10) == 0) {
          frame.writeBytes(INVALID_IN_STRINGS[random.nextInt(INVALID_IN_STRINGS.length)]);
          valid = false;
        } else {
          frame.writeBytes(VALID_IN_STRINGS[random.nextInt(VALID_IN_STRINGS.length)].getBytes(StandardCharsets.UTF_8));
        }
      }
      frame.writeBytes(envelope[1].getBytes(StandardCharsets.UTF_8));
      byte[] bytes = frame.toByteArray();
      boolean accepted = assertParsesOrRefuses(bytes, bytes.length);
      assertEquals(valid, accepted, () -> (accepted ? "accepted" : "refused") + " " + HexFormat.of().formatHex(bytes));
      return accepted;
    }

    @Test
    @DisplayName("20,000 mutations of valid frames: byte flips, truncation, insertion, deletion")
    void mutations() {
      Random random = new Random(42L);
      int accepted = 0;
      for (int i = 0; i < 20_000; i++) {
        byte[] bytes = SEEDS.get(random.nextInt(SEEDS.size())).clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
          bytes = mutate(bytes, random);
        }
        if (assertParsesOrRefuses(bytes, bytes.length)) {
          accepted++;
        }
      }
      // sanity check of the fuzzer itself: some mutations must survive, most must not
      assertTrue(accepted > 100 && accepted < 19_000, "accepted " + accepted);
    }

    /** @return whether the frame was accepted */
    private static boolean assertParsesOrRefuses(byte[] bytes, int length) {
      ClientFrame frame;
      try {
        frame = FrameParser.parse(bytes, length);
      } catch (FrameException e) {
        assertEquals(ErrorCode.BAD_MESSAGE, e.code());
        assertNotNull(e.getMessage());
        return false;
      } catch (Throwable t) {
        return fail("parse threw " + t + " for input " + HexFormat.of().formatHex(bytes, 0, length), t);
      }
      assertNotNull(frame);
      assertNotNull(frame.type());
      assertTrue(isOneJsonObject(bytes, length),
        () -> "accepted what is not one UTF-8 JSON object: " + HexFormat.of().formatHex(bytes, 0, length));
      return true;
    }
  }

  @Test
  @DisplayName("a ref is null when absent")
  void refAbsent() throws FrameException {
    assertNull(parse("{\"type\":\"ping\"}").ref());
  }

  /** Bytes that matter to JSON, used by the fuzzers. */
  static final byte[] JSONISH = "{}[]\":,\\ \n0123456789-+.eEtrufalsn\u00e9".getBytes(StandardCharsets.UTF_8);

  /** A frame in two halves, around the string whose contents {@code randomStringFrame} makes up. */
  private static final String[][] ENVELOPES = {
    {"{\"type\":\"message\",\"to\":\"p1\",\"data\":\"", "\"}"},
    {"{\"type\":\"offer\",\"sdp\":\"", "\",\"to\":\"p1\"}"},
    {"{\"type\":\"ping\",\"", "\":[1]}"},
  };

  /** Pieces allowed inside a JSON string, each complete: any sequence of them is a valid string body. */
  private static final String[] VALID_IN_STRINGS = {"a", "Z9", " ", "'", "{", "}", "[", "]", ",", ":", "\u007f",
    "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "\u00e9", "\u6771", "\ud83d\ude00"};

  /**
   * Pieces that make a string invalid wherever they stand between the others: a raw control character, an
   * unknown or short escape, and bytes that are not UTF-8 (FF, an overlong '/', a surrogate, beyond U+10FFFF, a
   * truncated sequence). No piece starts with a continuation byte, which could complete the truncated one.
   */
  private static final byte[][] INVALID_IN_STRINGS = {{0x01}, {0x0a}, {0x1f}, {'\\', 'x'}, {'\\', '\''},
    {'\\', 'u', '1', '2', 'G', '4'}, {(byte) 0xff}, {(byte) 0xc0, (byte) 0xaf},
    {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
    {(byte) 0xe6, (byte) 0x9d}};

  /**
   * Whether {@code bytes} are one JSON object in well-formed UTF-8 (a byte order mark allowed), decided without
   * FrameParser: what the parser accepts must pass this; shared with RelayFrameTest.
   */
  static boolean isOneJsonObject(byte[] bytes, int length) {
    int start = length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf
      ? 3 : 0;
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, start, length - start))
        .toString();
    } catch (CharacterCodingException e) {
      return false;
    }
    try {
      new JsonObject(text);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Mutates a frame; shared with RelayFrameTest. */
  static byte[] mutate(byte[] bytes, Random random) {
    if (bytes.length == 0) {
      return new byte[] {JSONISH[random.nextInt(JSONISH.length)]};
    }
    int at = random.nextInt(bytes.length);
    switch (random.nextInt(5)) {
      case 0 -> { // flip to a random byte
        byte[] out = bytes.clone();
        out[at] = (byte) random.nextInt(256);
        return out;
      }
      case 1 -> { // flip to a JSON-significant byte
        byte[] out = bytes.clone();
        out[at] = JSONISH[random.nextInt(JSONISH.length)];
        return out;
      }
      case 2 -> { // truncate
        return Arrays.copyOf(bytes, at);
      }
      case 3 -> { // insert
        byte[] out = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, out, 0, at);
        out[at] = random.nextBoolean() ? JSONISH[random.nextInt(JSONISH.length)] : (byte) random.nextInt(256);
        System.arraycopy(bytes, at, out, at + 1, bytes.length - at);
        return out;
      }
      default -> { // delete
        byte[] out = new byte[bytes.length - 1];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(bytes, at + 1, out, at, bytes.length - at - 1);
        return out;
      }
    }
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int pos = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, pos, part.length);
      pos += part.length;
    }
    return out;
  }
}
