package io.switchboard.signaling.protocol;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

@DisplayName("RelayFrame: the relayed copy has from instead of to and every other member untouched")
class RelayFrameTest {

  private static final String FROM = "Sx7_k-9QpLm2Vn4Rt6Yw8A";

  /** Rewrites {@code frame} as the server would and checks the relay contract; returns the relayed text. */
  static String assertRelayedCorrectly(byte[] frame, int length) {
    ClientFrame parsed;
    try {
      parsed = FrameParser.parse(frame, length);
    } catch (FrameException e) {
      return fail("test frame refused by the parser (" + e.getMessage() + "): " + text(frame, length));
    }
    String relayed = RelayFrame.rewrite(frame, length, parsed, RelayFrame.fromPrefix(FROM));
    JsonObject out;
    try {
      out = new JsonObject(relayed);
    } catch (RuntimeException e) {
      return fail("relayed frame is not a JSON object: " + relayed + "\n  from: " + text(frame, length), e);
    }
    assertEquals(FROM, out.getValue("from"), () -> relayed);
    assertFalse(out.containsKey("to"), () -> "to must be removed: " + relayed);
    JsonObject expected = original(frame, length);
    expected.remove("to");
    out.remove("from");
    assertEquals(expected, out, () -> "members other than to/from must be unchanged\n  sent:    "
      + text(frame, length) + "\n  relayed: " + relayed);
    return relayed;
  }

  static String assertRelayedCorrectly(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return assertRelayedCorrectly(bytes, bytes.length);
  }

  private static JsonObject original(byte[] frame, int length) {
    String text = text(frame, length);
    return new JsonObject(text.startsWith("\ufeff") ? text.substring(1) : text);
  }

  private static String text(byte[] frame, int length) {
    return new String(frame, 0, length, StandardCharsets.UTF_8);
  }

  static Stream<Arguments> directedFrames() {
    return Stream.of(
      arguments("to first", "{\"to\":\"p1\",\"type\":\"offer\",\"sdp\":\"v=0\"}"),
      arguments("to in the middle", "{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":\"v=0\"}"),
      arguments("to last", "{\"type\":\"offer\",\"sdp\":\"v=0\",\"to\":\"p1\"}"),
      arguments("to right after type, nothing after it", "{\"data\":1,\"type\":\"message\",\"to\":\"p1\"}"),
      arguments("to right after type, then the payload", "{\"type\":\"message\",\"to\":\"p1\",\"data\":null}"),
      arguments("to first, with whitespace and newlines",
        "\n  {\n  \"to\"  :  \"p1\"  ,\n  \"type\" : \"offer\",\n  \"sdp\" : \"v=0\"\n}\n"),
      arguments("to last, with whitespace and newlines",
        "{\r\n\t\"type\": \"answer\",\r\n\t\"sdp\": \"v=0\"\r\n\t,\r\n\t\"to\": \"p1\"\r\n}\r\n"),
      arguments("to in the middle, spaced commas", "{ \"type\" : \"offer\" , \"to\" : \"p1\" , \"sdp\" : \"x\" }"),
      arguments("unicode around", "{\"type\":\"offer\",\"sdp\":\"caf\u00e9 \u6771\u4eac \ud83d\ude00\",\"to\":\"p1\","
        + "\"name\":\"\u00e9\u00e9\"}"),
      arguments("escaped quotes and a fake to in the sdp",
        "{\"type\":\"offer\",\"sdp\":\"a=\\\"to\\\":\\\"p1\\\",\\\"x\\\":1\",\"to\":\"p1\"}"),
      arguments("escaped backslash before a quote", "{\"type\":\"offer\",\"sdp\":\"ends with \\\\\",\"to\":\"p1\"}"),
      arguments("nested objects with their own to and from in data",
        "{\"type\":\"message\",\"data\":{\"to\":\"inner\",\"from\":\"inner\",\"list\":[{\"to\":1}]},\"to\":\"p1\"}"),
      arguments("to with escapes in its value", "{\"type\":\"answer\",\"to\":\"p\\u0031\\\"\",\"sdp\":\"x\"}"),
      arguments("to spelled with an escape", "{\"type\":\"answer\",\"t\\u006f\":\"p1\",\"sdp\":\"x\"}"),
      arguments("candidate null", "{\"type\":\"candidate\",\"to\":\"p1\",\"candidate\":null,\"ref\":\"r\"}"),
      arguments("candidate object", "{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"c\",\"sdpMid\":\"0\","
        + "\"sdpMLineIndex\":0},\"to\":\"p1\"}"),
      arguments("UTF-8 byte order mark, to first", "\ufeff{\"to\":\"p1\",\"type\":\"offer\",\"sdp\":\"x\"}"),
      arguments("UTF-8 byte order mark, to last", "\ufeff{\"type\":\"offer\",\"sdp\":\"x\",\"to\":\"p1\"}"),
      arguments("ref and extra members",
        "{\"ref\":\"1\",\"type\":\"offer\",\"x\":[],\"to\":\"p1\",\"y\":{},\"sdp\":\"s\"}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("directedFrames")
  @DisplayName("directed frames: from added, to removed, the rest equal")
  void directed(String name, String json) {
    assertRelayedCorrectly(json);
  }

  @Test
  @DisplayName("payload bytes are copied verbatim: escapes are not re-encoded")
  void payloadBytesVerbatim() {
    String sdp = "\"sdp\":\"v=0\\r\\no=- \\u00e9 \\/ caf\u00e9 \ud83d\ude00\\\"q\\\"\"";
    String data = "\"extra\":{\"n\":1.50E+3,\"s\":\"\\u0041\"}";
    String relayed = assertRelayedCorrectly("{\"type\":\"offer\"," + sdp + ",\"to\":\"p1\"," + data + "}");
    assertTrue(relayed.contains(sdp), relayed);
    assertTrue(relayed.contains(data), relayed);
  }

  @Test
  @DisplayName("a broadcast frame (no to) only gets from added")
  void broadcast() throws FrameException {
    String json = "{\"type\":\"message\",\"data\":{\"to\":\"not-top-level\"},\"ref\":\"r\"}";
    String relayed = assertRelayedCorrectly(json);
    assertEquals("{\"from\":\"" + FROM + "\"," + json.substring(1), relayed);
    assertNotNull(FrameParser.parse(json.getBytes(StandardCharsets.UTF_8), json.length()));
  }

  @Test
  @DisplayName("a broadcast frame with whitespace keeps all its members")
  void broadcastWithWhitespace() {
    assertRelayedCorrectly("  \n{ \"type\" : \"message\" ,\n \"data\" : [ 1 , 2 ] }\n");
  }

  @Test
  @DisplayName("only the first length bytes are used")
  void honoursLength() {
    byte[] bytes = "{\"type\":\"offer\",\"sdp\":\"x\",\"to\":\"p1\"}TRAILING".getBytes(StandardCharsets.UTF_8);
    String relayed = assertRelayedCorrectly(bytes, bytes.length - "TRAILING".length());
    assertFalse(relayed.contains("TRAILING"));
  }

  // ---------------------------------------------------------------- randomized

  @Test
  @DisplayName("2,000 random valid frames: random member order, whitespace, escapes, unicode and nesting")
  void randomFrames() {
    Random random = new Random(7_301L);
    for (int i = 0; i < 2_000; i++) {
      Generated frame = generate(random);
      String relayed = assertRelayedCorrectly(frame.json);
      for (String member : frame.untouchedMembers) {
        assertTrue(relayed.contains(member), () -> "member not copied verbatim: " + member + "\n  relayed: " + relayed);
      }
    }
  }

  @Test
  @DisplayName("10,000 mutations of valid frames: each one the parser accepts is one UTF-8 JSON object and relays"
    + " correctly")
  void mutatedFrames() {
    Random random = new Random(99L);
    int checked = 0;
    for (int i = 0; i < 10_000; i++) {
      byte[] bytes = generate(random).json.getBytes(StandardCharsets.UTF_8);
      bytes = FrameParserTest.mutate(bytes, random);
      try {
        FrameParser.parse(bytes, bytes.length);
      } catch (FrameException refused) {
        continue;
      }
      byte[] accepted = bytes;
      // a browser cannot send anything else, and RelayFrame splices what it was given: accepting it is the bug
      assertTrue(FrameParserTest.isOneJsonObject(accepted, accepted.length),
        () -> "the parser accepted what is not one UTF-8 JSON object: " + HexFormat.of().formatHex(accepted));
      assertRelayedCorrectly(accepted, accepted.length);
      checked++;
    }
    assertTrue(checked > 500, "too few surviving mutations to mean anything: " + checked);
  }

  /** A frame as text, plus the raw text of each member the relay must copy byte for byte. */
  record Generated(String json, List<String> untouchedMembers) {
  }

  static Generated generate(Random random) {
    String[] types = {"offer", "answer", "candidate", "message", "message"};
    String type = types[random.nextInt(types.length)];
    boolean broadcast = type.equals("message") && random.nextInt(4) == 0;
    List<String> members = new ArrayList<>();
    List<String> untouched = new ArrayList<>();
    members.add(member(random, "\"type\"", "\"" + type + "\""));
    if (!broadcast) {
      members.add(toMember(random));
    }
    String payload = payloadMember(random, type);
    members.add(payload);
    untouched.add(payload.strip());
    if (random.nextBoolean()) {
      String ref = member(random, "\"ref\"", jsonString(random, true));
      members.add(ref);
      untouched.add(ref.strip());
    }
    for (int extra = random.nextInt(3); extra > 0; extra--) {
      String[] names = {"\"x\"", "\"meta\"", "\"tó\"", "\"toX\"", "\"\"", "\"t\\\"o\""};
      String member = member(random, names[random.nextInt(names.length)], jsonValue(random, 3));
      members.add(member);
      untouched.add(member.strip());
    }
    Collections.shuffle(members, random);
    return new Generated(objectText(random, members), untouched);
  }

  /** The to member; one in six spells its name with an escape. */
  private static String toMember(Random random) {
    String name = random.nextInt(6) == 0 ? "\"t\\u006f\"" : "\"to\"";
    return member(random, name, jsonString(random, true));
  }

  /** The member the type needs: sdp, candidate (an object or null) or data. */
  private static String payloadMember(Random random, String type) {
    return switch (type) {
      case "offer", "answer" -> member(random, "\"sdp\"", jsonString(random, false));
      case "candidate" -> member(random, "\"candidate\"", random.nextInt(3) == 0 ? "null" : candidate(random));
      default -> member(random, "\"data\"", jsonValue(random, 3));
    };
  }

  private static String candidate(Random random) {
    return "{\"candidate\":" + jsonString(random, false) + ",\"sdpMid\":\"0\",\"sdpMLineIndex\":"
      + random.nextInt(4) + "}";
  }

  /** The members as one object, with whitespace around them and sometimes a byte order mark in front. */
  private static String objectText(Random random, List<String> members) {
    StringBuilder json = new StringBuilder();
    if (random.nextInt(10) == 0) {
      json.append('\ufeff');
    }
    json.append(ws(random)).append('{');
    for (int i = 0; i < members.size(); i++) {
      if (i > 0) {
        json.append(ws(random)).append(',');
      }
      json.append(members.get(i));
    }
    json.append(ws(random)).append('}').append(ws(random));
    return json.toString();
  }

  private static String member(Random random, String name, String value) {
    return ws(random) + name + ws(random) + ":" + ws(random) + value;
  }

  private static String ws(Random random) {
    String[] choices = {"", "", "", " ", "  ", "\n", "\r\n", "\t", " \n\t "};
    return choices[random.nextInt(choices.length)];
  }

  /** A JSON string literal; {@code plain} keeps it to URL-safe characters (session ids, refs). */
  private static String jsonString(Random random, boolean plain) {
    String[] pieces = plain
      ? new String[] {"a", "Z", "0", "_", "-", "q7"}
      : new String[] {"a", "v=0", "\\r\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "\u00e9", "\u6771",
        "\ud83d\ude00", ",", ":", "{", "}", "[", "]", "\\\"to\\\":\\\"p\\\"", " ", "to", "from"};
    StringBuilder s = new StringBuilder("\"");
    for (int n = random.nextInt(8); n >= 0; n--) {
      s.append(pieces[random.nextInt(pieces.length)]);
    }
    return s.append('"').toString();
  }

  private static String jsonValue(Random random, int depth) {
    int kind = random.nextInt(depth > 0 ? 9 : 6);
    return switch (kind) {
      case 0 -> "null";
      case 1 -> random.nextBoolean() ? "true" : "false";
      case 2 -> Integer.toString(random.nextInt(2_000_000) - 1_000_000);
      case 3 -> new String[] {"0.5", "-1.25e-3", "1E+10", "-0", "3.0"}[random.nextInt(5)];
      case 4, 5 -> jsonString(random, false);
      case 6 -> jsonArray(random, depth);
      default -> jsonObject(random, depth);
    };
  }

  private static String jsonArray(Random random, int depth) {
    StringBuilder array = new StringBuilder("[").append(ws(random));
    for (int n = random.nextInt(4); n > 0; n--) {
      array.append(jsonValue(random, depth - 1)).append(n > 1 ? "," + ws(random) : ws(random));
    }
    return array.append(']').toString();
  }

  /** An object whose keys include the ones the relay looks for (to, from, type), plain and escaped. */
  private static String jsonObject(Random random, int depth) {
    StringBuilder object = new StringBuilder("{").append(ws(random));
    String[] keys = {"to", "from", "type", "sdp", "k", "\\u0074o"};
    for (int n = random.nextInt(4); n > 0; n--) {
      object.append('"').append(keys[random.nextInt(keys.length)]).append("\":").append(ws(random))
        .append(jsonValue(random, depth - 1)).append(n > 1 ? "," + ws(random) : ws(random));
    }
    return object.append('}').toString();
  }

  @Test
  @DisplayName("the generator itself produces frames the parser accepts (a broken generator would test nothing)")
  void generatorSanity() {
    Random random = new Random(1L);
    int directed = 0;
    for (int i = 0; i < 500; i++) {
      byte[] bytes = generate(random).json.getBytes(StandardCharsets.UTF_8);
      try {
        if (FrameParser.parse(bytes, bytes.length).directed()) {
          directed++;
        }
      } catch (FrameException e) {
        fail(e.getMessage() + ": " + HexFormat.of().formatHex(bytes));
      }
    }
    assertTrue(directed > 300, "directed " + directed);
  }
}
