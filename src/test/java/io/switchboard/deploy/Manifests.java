package io.switchboard.deploy;

import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every Kubernetes object under deploy/kubernetes/ (all YAML documents of all files, the Secret examples in
 * subdirectories included), as plain maps and lists the way snakeyaml reads them, with a few typed lookups.
 */
final class Manifests {

  private final List<Map<String, Object>> objects;

  private Manifests(List<Map<String, Object>> objects) {
    this.objects = objects;
  }

  static Manifests load(Path dir) throws IOException {
    List<Map<String, Object>> objects = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path file : files) {
      try (Reader in = Files.newBufferedReader(file)) {
        for (Object document : new Yaml().loadAll(in)) {
          if (document != null) {
            objects.add(map(document));
          }
        }
      }
    }
    return new Manifests(objects);
  }

  List<Map<String, Object>> all() {
    return objects;
  }

  /** The one object of {@code kind} named {@code name}; fails when there is none. */
  Map<String, Object> get(String kind, String name) {
    return objects.stream()
      .filter(o -> kind.equals(o.get("kind")) && name.equals(map(o.get("metadata")).get("name")))
      .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in deploy/kubernetes"));
  }

  /** The one object of {@code kind}; fails when there is none or more than one. */
  Map<String, Object> only(String kind) {
    List<Map<String, Object>> found = objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + ", found " + found.size());
    }
    return found.get(0);
  }

  /** The value at a dotted path of maps ({@code spec.template.spec}); fails when a step is missing. */
  static Object at(Map<String, Object> object, String path) {
    Object current = object;
    for (String step : path.split("\\.")) {
      Object next = map(current).get(step);
      if (next == null) {
        throw new AssertionError("missing " + path + " (at " + step + ")");
      }
      current = next;
    }
    return current;
  }

  static Map<String, Object> mapAt(Map<String, Object> object, String path) {
    return map(at(object, path));
  }

  static List<Map<String, Object>> listAt(Map<String, Object> object, String path) {
    return list(at(object, path));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Object value) {
    return (List<Map<String, Object>>) value;
  }
}
