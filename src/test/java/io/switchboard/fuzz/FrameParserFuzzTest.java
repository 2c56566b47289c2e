package io.switchboard.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.switchboard.signaling.protocol.ClientFrame;
import io.switchboard.signaling.protocol.ErrorCode;
import io.switchboard.signaling.protocol.FrameException;
import io.switchboard.signaling.protocol.FrameParser;
import io.switchboard.signaling.protocol.FrameType;
import io.switchboard.signaling.protocol.RelayFrame;
import io.switchboard.signaling.protocol.Utf8;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz target 3: the signaling frame parser ({@link FrameParser}) and the relayed copy ({@link RelayFrame#rewrite}).
 * The input is one WebSocket text frame's bytes, handed over as the session does: in a larger buffer with a length.
 *
 * <p>Invariants, and what each protects:
 * <ul>
 *   <li>parse accepts or throws {@link FrameException} (code bad-message), nothing else: a frame never takes down
 *       the session's handler;</li>
 *   <li>parse reads only the first {@code length} bytes (what lies beyond, here other JSON, changes nothing);</li>
 *   <li>an accepted frame is one JSON object whose type needs the fields it has;</li>
 *   <li>for every relayed type, the rewritten frame is valid JSON, equals the input object minus {@code to} plus
 *       {@code from} (first, naming the sender), and every other member is byte-identical to what the sender
 *       wrote (SDP and candidates are opaque: the receiver gets exactly them); its UTF-8 size is what the send
 *       queue accounts for ({@link Utf8#encodedLength}).</li>
 * </ul>
 */
@DisplayName("fuzz: signaling frame parser and relayed-frame rewrite")
class FrameParserFuzzTest {

  static final String SENDER = "Ab3_xY9-kQ";
  private static final byte[] PREFIX = RelayFrame.fromPrefix(SENDER);
  /** Follows the frame in its buffer, past {@code length}: valid JSON so that reading it would show. */
  private static final byte[] TAIL = ",\"to\":\"x\",\"from\":1}]}".getBytes(StandardCharsets.US_ASCII);
  private static final JsonFactory JSON = new JsonFactory();
  private static final FuzzStats STATS = new FuzzStats(FrameParserFuzzTest.class, "parseAndRewrite");

  @DictionaryEntries({"\"type\"", "\"to\"", "\"from\"", "\"ref\"", "\"sdp\"", "\"candidate\"", "\"data\"",
    "\"offer\"", "\"answer\"", "\"message\"", "\"ping\"", "\"leave\"", "\\u0000", "\\\"", "null", "true", "1e999"})
  @FuzzTest(maxDuration = "8s")
  void parseAndRewrite(byte[] frame) {
    STATS.executed();
    byte[] buffer = Arrays.copyOf(frame, frame.length + TAIL.length);
    System.arraycopy(TAIL, 0, buffer, frame.length, TAIL.length);
    ClientFrame parsed = parse(buffer, frame.length);
    assertEquals(String.valueOf(parsed), String.valueOf(parse(frame, frame.length)),
      "the bytes after length changed the outcome");
    if (parsed == null) {
      return;
    }
    List<Member> members = members(frame);
    assertNotNull(members, "accepted a frame that is not one JSON object");
    JsonObject object = vertxObject(frame);
    assertEquals(parsed.type().wire(), object.getValue("type"), "type");
    checkFields(parsed, members);
    if (parsed.type() == FrameType.PING || parsed.type() == FrameType.LEAVE) {
      return; // answered or acted on, never relayed
    }
    String relayed = RelayFrame.rewrite(buffer, frame.length, parsed, PREFIX);
    byte[] out = relayed.getBytes(StandardCharsets.UTF_8);
    assertEquals(out.length, Utf8.encodedLength(relayed), "encodedLength differs from the UTF-8 size");
    assertEquals(SENDER, RelayFrame.senderOf(relayed));
    List<Member> outMembers = members(out);
    assertNotNull(outMembers, "the relayed frame is not one JSON object: " + relayed);
    List<Member> expected = new ArrayList<>();
    expected.add(new Member("from", ("\"" + SENDER + "\"").getBytes(StandardCharsets.US_ASCII)));
    members.stream().filter(m -> !m.name.equals("to")).forEach(expected::add);
    assertEquals(expected, outMembers, "relayed members differ: " + relayed);
    // and as Vert.x reads it (a map: the last of repeated names wins), the same object minus to plus from
    JsonObject in = object;
    in.remove("to");
    JsonObject seen = new JsonObject(relayed);
    assertEquals("from", seen.fieldNames().iterator().next(), "from is not the first member");
    assertEquals(SENDER, seen.remove("from"));
    assertEquals(in, seen);
  }

  @AfterAll
  static void fuzzed() {
    STATS.checkFuzzed();
  }

  private static ClientFrame parse(byte[] bytes, int length) {
    try {
      return FrameParser.parse(bytes, length);
    } catch (FrameException e) {
      assertEquals(ErrorCode.BAD_MESSAGE, e.code());
      assertNotNull(e.getMessage());
      return null;
    } catch (RuntimeException e) {
      fail("parse threw " + e + " (only FrameException is allowed)", e);
      return null;
    }
  }

  /** The fields the type needs, with the right JSON types, are there. */
  private static void checkFields(ClientFrame parsed, List<Member> members) {
    boolean directed = parsed.type() == FrameType.OFFER || parsed.type() == FrameType.ANSWER
      || parsed.type() == FrameType.CANDIDATE;
    if (directed) {
      assertNotNull(parsed.to(), parsed.type() + " without to");
    }
    if (parsed.to() != null) {
      assertTrue(parsed.toMemberStart() >= 0 && parsed.toMemberEnd() > parsed.toMemberStart());
    }
    assertTrue(members.stream().noneMatch(m -> m.name.equals("from")), "accepted a frame with from");
    if (parsed.ref() != null) {
      assertTrue(parsed.ref().length() <= FrameParser.MAX_REF_LENGTH);
    }
  }

  /** The frame as Vert.x reads JSON text (a leading byte order mark is not part of the text). */
  private static JsonObject vertxObject(byte[] frame) {
    String text = new String(frame, StandardCharsets.UTF_8);
    return new JsonObject(text.startsWith("\uFEFF") ? text.substring(1) : text);
  }

  /** A top-level member: its name (decoded) and its value's bytes exactly as written. */
  private record Member(String name, byte[] value) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Member m && m.name.equals(name) && Arrays.equals(m.value, value);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return name + "=" + new String(value, StandardCharsets.UTF_8);
    }
  }

  /** The members of a frame that is one JSON object (by Jackson's own reading), or null when it is not. */
  private static List<Member> members(byte[] bytes) {
    List<Member> out = new ArrayList<>();
    try (JsonParser parser = JSON.createParser(bytes)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        int start = (int) parser.currentTokenLocation().getByteOffset();
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          parser.skipChildren();
        } else {
          parser.finishToken();
        }
        int end = (int) parser.currentLocation().getByteOffset();
        out.add(new Member(name, Arrays.copyOfRange(bytes, start, end)));
      }
      if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
        return null;
      }
    } catch (IOException e) {
      return null;
    }
    return out;
  }
}
