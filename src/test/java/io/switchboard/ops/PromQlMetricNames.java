package io.switchboard.ops;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads. Good enough for the expressions in ops/: label matchers, range
 * selectors, strings and grouping label lists are removed first; what is left that is neither a function call nor an
 * operator keyword is a metric name.
 */
final class PromQlMetricNames {

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
  private static final Pattern LABEL_LISTS =
    Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  /** An identifier not preceded by a name character or a dot (a number), and not followed by "(" (a function). */
  private static final Pattern NAME = Pattern.compile("(?<![\\w:.$])[a-zA-Z_:][\\w:]*+(?!\\s*\\()");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
    "on", "ignoring", "group_left", "group_right", "inf", "nan");

  private PromQlMetricNames() {
  }

  static Set<String> of(String expr) {
    String bare = STRING.matcher(expr).replaceAll("\"\"");
    bare = MATCHERS.matcher(bare).replaceAll(" ");
    bare = RANGES.matcher(bare).replaceAll(" ");
    bare = LABEL_LISTS.matcher(bare).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = NAME.matcher(bare);
    while (m.find()) {
      if (!KEYWORDS.contains(m.group().toLowerCase(java.util.Locale.ROOT))) {
        names.add(m.group());
      }
    }
    return names;
  }
}
