package io.switchboard.signaling.http;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docs/openapi.yaml as a checker of real responses: a status the operation does not document fails, and so does a
 * JSON body its schema (JSON Schema 2020-12, as OpenAPI 3.1 uses) refuses. Schemas are resolved inside the whole
 * document, so their {@code $ref}s to {@code #/components/...} work as in any OpenAPI tool. Remembers which
 * (operation, status) pairs real responses covered.
 */
final class OpenApiContract {

  static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  /** The document's name for the validator; never fetched (the registry holds its text). */
  private static final String BASE = "https://switchboard.invalid/openapi.json";

  private final JsonNode root;
  private final SchemaRegistry registry;
  private final Set<String> covered = new TreeSet<>();

  private OpenApiContract(JsonNode root) {
    this.root = root;
    String json = JsonMapper.builder().build().writeValueAsString(root);
    this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      builder -> builder.schemas(Map.of(BASE, json)));
  }

  static OpenApiContract load(Path yaml) throws IOException {
    JsonNode root = new YAMLMapper().readTree(Files.readString(yaml));
    assertTrue(root.path("openapi").asString().startsWith("3.1"), "an OpenAPI 3.1 document");
    return new OpenApiContract(root);
  }

  /** Every documented path with its methods, e.g. {@code /api/rooms/{room}} → [get]. */
  Map<String, Set<String>> operations() {
    Map<String, Set<String>> operations = new java.util.TreeMap<>();
    root.get("paths").properties().forEach(path -> {
      Set<String> methods = new TreeSet<>();
      path.getValue().propertyNames().stream().filter(METHODS::contains).forEach(methods::add);
      operations.put(path.getKey(), methods);
    });
    return operations;
  }

  /** Every documented (path, method, status), as {@code "get /api/rooms 401"}. */
  Set<String> documentedResponses() {
    Set<String> all = new TreeSet<>();
    operations().forEach((path, methods) -> methods.forEach(method ->
      root.get("paths").get(path).get(method).get("responses").propertyNames()
        .forEach(status -> all.add(key(method, path, status)))));
    return all;
  }

  Set<String> covered() {
    return Set.copyOf(covered);
  }

  /**
   * Fails unless {@code path}'s {@code method} documents {@code status} and, where it documents a JSON body, the
   * body is valid JSON that its schema accepts.
   */
  void check(String method, String path, int status, String body) {
    String verb = method.toLowerCase(Locale.ROOT);
    JsonNode operation = root.path("paths").path(path).path(verb);
    if (operation.isMissingNode()) {
      fail("undocumented operation: " + verb + " " + path);
    }
    JsonNode response = operation.path("responses").path(Integer.toString(status));
    if (response.isMissingNode()) {
      fail("undocumented status " + status + " for " + verb + " " + path + "; body: " + body);
    }
    String location = "#/paths/" + pointerToken(path) + "/" + verb + "/responses/" + status;
    if (response.has("$ref")) {
      location = response.get("$ref").asString();
      response = resolve(location);
    }
    JsonNode json = response.path("content").path("application/json");
    if (!json.isMissingNode()) {
      List<Error> errors = schema(json.get("schema"), location + "/content/application~1json/schema")
        .validate(body, InputFormat.JSON);
      assertEquals(List.of(), errors.stream().map(Error::toString).toList(),
        verb + " " + path + " " + status + " breaks its schema; body: " + body);
    } else if (!response.path("content").path("text/plain").isMissingNode()) {
      assertTrue(body != null && !body.isEmpty(), verb + " " + path + " " + status + ": an empty text body");
    }
    covered.add(key(verb, path, Integer.toString(status)));
  }

  /** The schema at {@code node}: a {@code $ref} is used as it is; an inline schema by its place in the document. */
  private Schema schema(JsonNode node, String location) {
    String pointer = node.has("$ref") ? node.get("$ref").asString() : location;
    // braces of path templates are not allowed in a URI fragment
    return registry.getSchema(SchemaLocation.of(BASE + pointer.replace("{", "%7B").replace("}", "%7D")));
  }

  private JsonNode resolve(String ref) {
    JsonNode node = root;
    for (String token : ref.substring(2).split("/")) {
      node = node.path(token.replace("~1", "/").replace("~0", "~"));
    }
    if (node.isMissingNode()) {
      fail("unresolvable $ref " + ref);
    }
    return node;
  }

  private static String pointerToken(String text) {
    return text.replace("~", "~0").replace("/", "~1");
  }

  static String key(String method, String path, String status) {
    return method + " " + path + " " + status;
  }
}
