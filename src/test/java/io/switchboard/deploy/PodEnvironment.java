package io.switchboard.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet would give it to one pod: fieldRefs from the downward API values given
 * here, secretKeyRefs from a lookup, and {@code $(NAME)} replaced by an earlier variable's value, as Kubernetes
 * does (a reference to a variable not defined before it stays as written, and is reported).
 */
final class PodEnvironment {

  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private PodEnvironment() {
  }

  /**
   * @param env      the container's {@code env} list
   * @param fields   downward-API values by fieldPath ({@code metadata.name}, {@code status.podIP}, ...)
   * @param secrets  a Secret key's value ("name/key"), or null when the Secret has no such key
   */
  static Map<String, String> resolve(List<Map<String, Object>> env, Map<String, String> fields,
                                     Function<String, String> secrets) {
    Map<String, String> resolved = new LinkedHashMap<>();
    for (Map<String, Object> entry : env) {
      String name = (String) entry.get("name");
      String value = entry.containsKey("valueFrom") ? from(name, Manifests.map(entry.get("valueFrom")), fields, secrets)
        : expand(name, String.valueOf(entry.get("value")), resolved);
      if (value != null) {
        resolved.put(name, value);
      }
    }
    return resolved;
  }

  private static String from(String name, Map<String, Object> source, Map<String, String> fields,
                             Function<String, String> secrets) {
    if (source.containsKey("fieldRef")) {
      String path = (String) Manifests.map(source.get("fieldRef")).get("fieldPath");
      String value = fields.get(path);
      if (value == null) {
        throw new AssertionError(name + ": no sample value for the downward API's " + path);
      }
      return value;
    }
    Map<String, Object> ref = Manifests.map(source.get("secretKeyRef"));
    if (ref == null) {
      throw new AssertionError(name + ": only fieldRef and secretKeyRef are resolved here, got " + source);
    }
    String value = secrets.apply(ref.get("name") + "/" + ref.get("key"));
    if (value == null && !Boolean.TRUE.equals(ref.get("optional"))) {
      throw new AssertionError(name + ": Secret " + ref.get("name") + " has no key " + ref.get("key"));
    }
    return value;
  }

  private static String expand(String name, String value, Map<String, String> defined) {
    Matcher reference = REFERENCE.matcher(value);
    StringBuilder expanded = new StringBuilder();
    while (reference.find()) {
      String target = defined.get(reference.group(1));
      if (target == null) {
        throw new AssertionError(name + " refers to $(" + reference.group(1) + "), not defined before it");
      }
      reference.appendReplacement(expanded, Matcher.quoteReplacement(target));
    }
    reference.appendTail(expanded);
    return expanded.toString();
  }
}
