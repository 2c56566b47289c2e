package io.switchboard.ops;

import io.switchboard.testing.InstalledTools;
import io.switchboard.testing.Metrics;
import io.switchboard.testing.TestCluster;
import io.switchboard.testing.TestPorts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ops/prometheus/alerts.yml and ops/grafana/switchboard-dashboard.json: promtool accepts the rules and passes their
 * unit tests, every alert has a firing and a quiet case, the dashboard is Grafana JSON whose queries parse, and every
 * metric either reads is on a real node's /metrics.
 */
@DisplayName("ops/: Prometheus alerts and the Grafana dashboard")
class PrometheusRulesTest {

  private static final Path ALERTS = Path.of("ops/prometheus/alerts.yml");
  private static final Path ALERT_TESTS = Path.of("ops/prometheus/alerts.test.yml");
  private static final Path DASHBOARD = Path.of("ops/grafana/switchboard-dashboard.json");
  private static final YAMLMapper YAML = new YAMLMapper();

  /** Made by Prometheus for every target it scrapes, never by a node. */
  private static final Set<String> FROM_PROMETHEUS = Set.of("up");

  @BeforeAll
  static void promtoolInstalled() {
    InstalledTools.require(Map.of("promtool", "prometheus"));
  }

  @Test
  @DisplayName("promtool check rules accepts alerts.yml")
  void rulesPassPromtoolCheck() throws Exception {
    Result check = promtool(ALERTS.getParent(), "check", "rules", ALERTS.getFileName().toString());
    assertEquals(0, check.status(), check.output());
  }

  @Test
  @DisplayName("promtool test rules passes alerts.test.yml")
  void rulesPassTheirUnitTests() throws Exception {
    Result test = promtool(ALERT_TESTS.getParent(), "test", "rules", ALERT_TESTS.getFileName().toString());
    assertEquals(0, test.status(), test.output());
    assertTrue(test.output().contains("SUCCESS"), test.output());
  }

  @Test
  @DisplayName("every alert has a case where it fires and one where it stays quiet")
  void everyAlertHasFiringAndQuietCases() throws IOException {
    Set<String> alerts = alertExpressions().keySet();
    Set<String> firing = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    for (JsonNode test : YAML.readTree(ALERT_TESTS.toFile()).get("tests")) {
      for (JsonNode check : test.path("alert_rule_test")) {
        String name = check.get("alertname").asString();
        (check.path("exp_alerts").isEmpty() ? quiet : firing).add(name);
      }
    }
    assertEquals(alerts, firing, "alerts with a firing case");
    assertEquals(alerts, quiet, "alerts with a quiet case");
  }

  @Test
  @DisplayName("the dashboard is Grafana JSON over a ${DS_PROMETHEUS} input, and promtool parses every query")
  void dashboardIsGrafanaJsonWhoseQueriesParse(@TempDir Path dir) throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    assertTrue(dashboard.getInteger("schemaVersion") >= 36, "schemaVersion");
    assertEquals("DS_PROMETHEUS", dashboard.getJsonArray("__inputs").getJsonObject(0).getString("name"));
    List<String> exprs = dashboardExpressions(dashboard);
    assertTrue(exprs.size() >= 15, "panels' queries: " + exprs.size());
    // each query as a recording rule, with Grafana's variables as a query would see them: promtool parses them
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    for (int i = 0; i < exprs.size(); i++) {
      String expr = exprs.get(i).replace("$__rate_interval", "5m").replace("$instance", ".*");
      rules.append("      - record: dashboard:query_").append(i).append("\n        expr: ")
        .append(quoted(expr)).append('\n');
    }
    Path file = dir.resolve("dashboard-rules.yml");
    Files.writeString(file, rules);
    Result check = promtool(dir, "check", "rules", file.getFileName().toString());
    assertEquals(0, check.status(), check.output());
  }

  @Test
  @DisplayName("every metric the alerts and the dashboard read is on a real node's /metrics")
  void everyMetricIsServed() throws Exception {
    Set<String> used = new TreeSet<>();
    alertExpressions().values().forEach(expr -> used.addAll(PromQlMetricNames.of(expr)));
    dashboardExpressions(new JsonObject(Files.readString(DASHBOARD)))
      .forEach(expr -> used.addAll(PromQlMetricNames.of(expr)));
    assertTrue(used.contains("switchboard_sessions") && used.contains("switchboard_cluster_members"), "" + used);
    Set<String> served = servedByAClusteredRelayNode();
    Set<String> missing = used.stream()
      .filter(name -> !served.contains(name) && !FROM_PROMETHEUS.contains(name))
      .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of(), missing, "metrics read by ops/ that no node serves");
  }

  /**
   * Metric names on /metrics of a node with everything that adds meters on: a cluster (of one), the relay and
   * webhooks (to a receiver that is not there: no event is sent while nobody joins).
   */
  private static Set<String> servedByAClusteredRelayNode() {
    int relayPort = TestPorts.freeUdpBlock(2);
    JsonObject relay = new JsonObject().put("relay", new JsonObject().put("enabled", true).put("host", "127.0.0.1")
      .put("port", relayPort).put("minPort", relayPort + 1).put("maxPort", relayPort + 1))
      .put("ice", new JsonObject().put("stunUrls", new JsonArray()).put("turnUrls", new JsonArray()))
      .put("webhooks", new JsonObject().put("urls", new JsonArray().add("http://127.0.0.1:" + TestPorts.freePort()))
        .put("secrets", new JsonArray().add("webhook-test-key-0123456789abcdefghijklmnopqrstuvwxyz")));
    try (TestCluster cluster = TestCluster.start(1, relay)) {
      return Metrics.scrape(cluster.node(0).port()).lines()
        .filter(line -> !line.startsWith("#") && !line.isBlank())
        .map(line -> line.split("[{ ]", 2)[0])
        .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** Alert name to expression, from alerts.yml. */
  private static Map<String, String> alertExpressions() throws IOException {
    Map<String, String> alerts = new TreeMap<>();
    for (JsonNode group : YAML.readTree(ALERTS.toFile()).get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        alerts.put(rule.get("alert").asString(), rule.get("expr").asString());
      }
    }
    assertFalse(alerts.isEmpty());
    return alerts;
  }

  private static List<String> dashboardExpressions(JsonObject dashboard) {
    List<String> exprs = new ArrayList<>();
    for (Object panel : dashboard.getJsonArray("panels")) {
      JsonObject p = (JsonObject) panel;
      if ("row".equals(p.getString("type"))) {
        continue;
      }
      assertEquals("${DS_PROMETHEUS}", p.getJsonObject("datasource").getString("uid"), p.getString("title"));
      for (Object target : p.getJsonArray("targets")) {
        exprs.add(((JsonObject) target).getString("expr"));
      }
    }
    return exprs;
  }

  /** A YAML double-quoted scalar (JSON string syntax is a subset of it). */
  private static String quoted(String text) {
    return new JsonArray().add(text).encode().substring(1).replaceFirst("]$", "");
  }

  private record Result(int status, String output) {
  }

  private static Result promtool(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    // output to a file, so a full pipe can never stall promtool while this waits
    Path output = Files.createTempFile("promtool", ".out");
    try {
      Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(output.toFile()).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("promtool " + String.join(" ", args) + " did not finish within 60 s");
      }
      return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
