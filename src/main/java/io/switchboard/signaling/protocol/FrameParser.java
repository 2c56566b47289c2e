package io.switchboard.signaling.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * Validates one client frame with a streaming parser: the whole frame must be one JSON object in strict UTF-8,
 * and the fields its type needs must be present and well typed (docs/protocol.md, "Client frames"). Payload fields
 * ({@code sdp}, {@code candidate}, {@code data}, anything unknown) are skipped, never materialised.
 * A problem found part-way is remembered and the scan goes on, so {@code ref} is echoed wherever it stands.
 */
public final class FrameParser {

  /** Longest {@code ref} the server echoes. */
  public static final int MAX_REF_LENGTH = 256;

  private static final JsonFactory JSON = new JsonFactory();

  private FrameParser() {
  }

  public static ClientFrame parse(byte[] frame, int length) throws FrameException {
    if (!Utf8.isValidJsonText(frame, length)) {
      throw bad("frame is not valid UTF-8 JSON text", null);
    }
    Fields fields = new Fields();
    try (JsonParser parser = JSON.createParser(frame, 0, length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw bad("frame must be a JSON object", null);
      }
      readMembers(parser, fields);
      if (parser.nextToken() != null) {
        throw bad("frame must hold exactly one JSON object", fields.echoedRef());
      }
    } catch (IOException e) {
      // Jackson's own messages quote the input; say only what kind of problem it is.
      throw bad("frame is not valid JSON", fields.echoedRef());
    }
    if (fields.problem != null) {
      throw bad(fields.problem, fields.echoedRef());
    }
    return validate(fields);
  }

  private static void readMembers(JsonParser parser, Fields fields) throws IOException, FrameException {
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      int nameStart = (int) parser.currentTokenLocation().getByteOffset();
      JsonToken value = parser.nextToken();
      switch (name) {
        case "type" -> fields.type = uniqueString(parser, value, fields.type, "type", fields);
        case "ref" -> readRef(parser, value, fields);
        case "to" -> {
          fields.to = uniqueString(parser, value, fields.to, "to", fields);
          fields.toStart = nameStart;
          fields.toEnd = (int) parser.currentLocation().getByteOffset();
        }
        case "from" -> {
          fields.problem("from is set by the server; do not send it");
          parser.skipChildren();
        }
        case "sdp" -> {
          fields.sdp = value == JsonToken.VALUE_STRING;
          parser.skipChildren();
        }
        case "candidate" -> {
          fields.candidate = value == JsonToken.START_OBJECT || value == JsonToken.VALUE_NULL;
          parser.skipChildren();
        }
        case "data" -> {
          fields.data = true;
          parser.skipChildren();
        }
        default -> parser.skipChildren();
      }
    }
    if (token != JsonToken.END_OBJECT) {
      throw bad("frame is not valid JSON", fields.echoedRef());
    }
  }

  /** The string value of a field that must appear once; records a problem (and returns the old value) otherwise. */
  private static String uniqueString(JsonParser parser, JsonToken value, String previous, String field,
                                     Fields fields) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      fields.problem("field " + field + " must be a string");
      parser.skipChildren();
      return previous;
    }
    if (previous != null) {
      fields.problem("field " + field + " appears twice");
      return previous;
    }
    return parser.getText();
  }

  private static void readRef(JsonParser parser, JsonToken value, Fields fields) throws IOException {
    if (fields.ref != null || !fields.refValid) {
      fields.problem("field ref appears twice");
      fields.refValid = false;
      parser.skipChildren();
      return;
    }
    if (value != JsonToken.VALUE_STRING) {
      fields.problem("field ref must be a string");
      fields.refValid = false;
      parser.skipChildren();
      return;
    }
    String ref = parser.getText();
    if (ref.length() > MAX_REF_LENGTH) {
      fields.problem("field ref is longer than " + MAX_REF_LENGTH + " characters");
      fields.refValid = false;
      return;
    }
    fields.ref = ref;
  }

  private static ClientFrame validate(Fields f) throws FrameException {
    if (f.type == null) {
      throw bad("field type is missing", f.ref);
    }
    FrameType type = FrameType.of(f.type);
    if (type == null) {
      throw bad("unknown type", f.ref);
    }
    switch (type) {
      case OFFER, ANSWER -> {
        requireTo(f, type);
        if (!f.sdp) {
          throw bad(type.wire() + " needs a string sdp", f.ref);
        }
      }
      case CANDIDATE -> {
        requireTo(f, type);
        if (!f.candidate) {
          throw bad("candidate needs a candidate object or null", f.ref);
        }
      }
      case MESSAGE -> {
        if (!f.data) {
          throw bad("message needs data", f.ref);
        }
      }
      case PING, LEAVE -> {
        return new ClientFrame(type, null, f.ref, -1, -1);
      }
    }
    return f.to == null
      ? new ClientFrame(type, null, f.ref, -1, -1)
      : new ClientFrame(type, f.to, f.ref, f.toStart, f.toEnd);
  }

  private static void requireTo(Fields f, FrameType type) throws FrameException {
    if (f.to == null) {
      throw bad(type.wire() + " needs to", f.ref);
    }
  }

  private static FrameException bad(String message, String ref) {
    return new FrameException(ErrorCode.BAD_MESSAGE, message, ref);
  }

  /** What the scan has seen so far. */
  private static final class Fields {
    String type;
    String to;
    String ref;
    /** False once a ref was present but unusable: then no ref is echoed. */
    boolean refValid = true;
    int toStart = -1;
    int toEnd = -1;
    boolean sdp;
    boolean candidate;
    boolean data;
    /** The first problem found; reported after the whole frame was read. */
    String problem;

    String echoedRef() {
      return refValid ? ref : null;
    }

    void problem(String message) {
      if (problem == null) {
        problem = message;
      }
    }
  }
}
