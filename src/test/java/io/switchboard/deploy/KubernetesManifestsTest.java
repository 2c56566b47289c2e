package io.switchboard.deploy;

import io.switchboard.config.ConfigException;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static io.switchboard.deploy.Manifests.at;
import static io.switchboard.deploy.Manifests.listAt;
import static io.switchboard.deploy.Manifests.mapAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/kubernetes/ against the code and the other deployment files, so they cannot drift apart: environment
 * names against the configuration's keys, ports and probes against the configuration the environment makes,
 * discovery against cluster/hazelcast-kubernetes.xml, the image against the pom's Jib settings, and the whole
 * environment through the node's own validation. No cluster runs here (there is none to run on).
 */
@DisplayName("Kubernetes manifests")
class KubernetesManifestsTest {

  private static final Path BASEDIR = Path.of(System.getProperty("basedir", "."));
  /** Downward-API values of one pod: with hostNetwork its address is its node's. */
  private static final Map<String, String> POD_FIELDS = Map.of("metadata.name", "switchboard-0",
    "status.podIP", "192.0.2.10", "status.hostIP", "192.0.2.10");

  private static Manifests manifests;
  private static Map<String, Object> statefulSet;
  private static Map<String, Object> container;

  @BeforeAll
  static void load() throws IOException {
    manifests = Manifests.load(BASEDIR.resolve("deploy/kubernetes"));
    statefulSet = manifests.only("StatefulSet");
    List<Map<String, Object>> containers = listAt(statefulSet, "spec.template.spec.containers");
    assertEquals(1, containers.size(), "one container");
    container = containers.get(0);
  }

  private static Set<String> configEnvNames() {
    Set<String> names = new HashSet<>();
    collectEnvNames(ConfigLoader.builtInDefault(), "", names);
    return names;
  }

  private static void collectEnvNames(JsonObject section, String prefix, Set<String> names) {
    for (String key : section.fieldNames()) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      if (section.getValue(key) instanceof JsonObject inner) {
        collectEnvNames(inner, path, names);
      } else {
        names.add(ConfigLoader.envName(path));
      }
    }
  }

  private static List<Map<String, Object>> env() {
    return listAt(container, "env");
  }

  /** The pod's environment with working secrets; file paths stay as the pod sees them. */
  private static Map<String, String> podEnv(Function<String, String> secrets) {
    return PodEnvironment.resolve(env(), POD_FIELDS, secrets);
  }

  private static String testSecret(String ref) {
    return switch (ref) {
      case "switchboard-keys/hs256-secrets" -> TestNode.JWT_KEY;
      case "switchboard-keys/turn-secrets" -> TestNode.TURN_KEY;
      case "switchboard-keys/webhooks-secrets" -> "webhook-test-key-0123456789abcdefghijklmnopqrstuvwxyz";
      default -> null;
    };
  }

  /** The configuration the pod's environment makes (without validation: paths point into the pod). */
  private static JsonObject effective() {
    Map<String, String> env = new HashMap<>(podEnv(KubernetesManifestsTest::testSecret));
    return ConfigLoader.load(null, env);
  }

  private static int port(String name) {
    return listAt(container, "ports").stream().filter(p -> name.equals(p.get("name")))
      .map(p -> (Integer) p.get("containerPort")).findFirst()
      .orElseThrow(() -> new AssertionError("no container port " + name));
  }

  @Test
  @DisplayName("every SWITCHBOARD_* variable is a configuration key, and documented")
  void environmentNamesAreKeys() throws IOException {
    Set<String> known = configEnvNames();
    String reference = Files.readString(BASEDIR.resolve("docs/configuration.md"));
    for (Map<String, Object> entry : env()) {
      String name = (String) entry.get("name");
      if (!name.startsWith(ConfigLoader.ENV_PREFIX)) {
        continue;
      }
      assertTrue(known.contains(name), name + " is not the name of any configuration key");
      assertTrue(reference.contains("`" + name + "`"), name + " is not in docs/configuration.md");
    }
  }

  @Test
  @DisplayName("container ports are the ports the environment configures")
  void portsAreConfigured() {
    JsonObject config = effective();
    JsonObject relay = config.getJsonObject("relay");
    JsonObject cluster = config.getJsonObject("cluster");
    assertEquals(config.getJsonObject("http").getInteger("port"), port("http"));
    assertEquals(relay.getInteger("port"), port("turn-udp"));
    assertEquals(relay.getJsonObject("tcp").getInteger("port"), port("turn-tcp"));
    assertEquals(relay.getJsonObject("tls").getInteger("port"), port("turn-tls"));
    assertEquals(cluster.getInteger("port"), port("hazelcast"));
    assertEquals(cluster.getInteger("eventBusPort"), port("event-bus"));
    assertEquals("0.0.0.0", config.getJsonObject("http").getString("host"), "reachable by the Service");
    assertTrue(cluster.getBoolean("enabled"));
    assertEquals(POD_FIELDS.get("status.podIP"), cluster.getString("host"), "members meet on the pod's address");
  }

  @Test
  @DisplayName("startup, readiness and liveness ask /health on the HTTP port")
  void probesAskHealth() {
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      Map<String, Object> get = mapAt(container, probe + ".httpGet");
      assertEquals("/health", get.get("path"), probe);
      assertEquals("http", get.get("port"), probe);
    }
  }

  @Test
  @DisplayName("the pod is given time for preStop and the whole drain before SIGKILL")
  void drainFitsTerminationGrace() {
    List<?> preStop = (List<?>) at(container, "lifecycle.preStop.exec.command");
    assertEquals("sleep", preStop.get(0));
    int pause = Integer.parseInt(String.valueOf(preStop.get(1)));
    int grace = effective().getJsonObject("rooms").getInteger("gracePeriodSeconds");
    // the shutdown hook waits the grace period plus 10 s (docs/operations.md, "Graceful shutdown")
    int termination = (Integer) at(statefulSet, "spec.template.spec.terminationGracePeriodSeconds");
    assertTrue(termination >= pause + grace + 10, termination + " s < " + pause + " + " + grace + " + 10 s");
  }

  @Test
  @DisplayName("Hazelcast's DNS discovery names the headless Service, which selects the members on the member port")
  void discoveryMatchesService() throws Exception {
    Path xml = BASEDIR.resolve("cluster/hazelcast-kubernetes.xml");
    Document hazelcast = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
    String dns = hazelcast.getElementsByTagName("service-dns").item(0).getTextContent().trim();
    int memberPort = Integer.parseInt(((Element) hazelcast.getElementsByTagName("port").item(0))
      .getTextContent().trim());
    String[] parts = dns.split("\\.");
    assertEquals(List.of("svc", "cluster", "local"), List.of(parts).subList(2, parts.length), dns);
    Map<String, Object> service = manifests.get("Service", parts[0]);
    assertEquals(parts[1], at(service, "metadata.namespace"), "the Service's namespace is the one in " + dns);
    assertEquals(parts[1], at(statefulSet, "metadata.namespace"));
    assertEquals("None", at(service, "spec.clusterIP"), "headless");
    assertEquals(at(statefulSet, "spec.template.metadata.labels"), at(service, "spec.selector"));
    assertEquals(parts[0], at(statefulSet, "spec.serviceName"));
    assertTrue(listAt(service, "spec.ports").stream().anyMatch(p -> p.get("port").equals(memberPort)));
    assertEquals(memberPort, effective().getJsonObject("cluster").getInteger("port"));

    // the members read exactly the repository's XML, from the ConfigMap mounted where the environment says
    String configPath = podEnv(KubernetesManifestsTest::testSecret).get("SWITCHBOARD_CLUSTER_HAZELCAST_CONFIG");
    Path mounted = Path.of(configPath);
    String volume = mountedVolume(mounted.getParent().toString());
    String configMap = (String) at(volumeSource(volume), "configMap.name");
    String data = (String) mapAt(manifests.get("ConfigMap", configMap), "data").get(mounted.getFileName().toString());
    assertEquals(Files.readString(xml).strip(), data == null ? null : data.strip(), "ConfigMap = " + xml);
  }

  private static String mountedVolume(String mountPath) {
    return listAt(container, "volumeMounts").stream().filter(m -> mountPath.equals(m.get("mountPath")))
      .map(m -> (String) m.get("name")).findFirst().orElseThrow(() -> new AssertionError("nothing at " + mountPath));
  }

  private static Map<String, Object> volumeSource(String name) {
    return listAt(statefulSet, "spec.template.spec.volumes").stream().filter(v -> name.equals(v.get("name")))
      .findFirst().orElseThrow(() -> new AssertionError("no volume " + name));
  }

  /** The files a volume holds: a ConfigMap's data, a Secret example's stringData; none for an emptyDir. */
  private static Map<String, Object> volumeFiles(Map<String, Object> source) {
    if (source.containsKey("configMap")) {
      return mapAt(manifests.get("ConfigMap", (String) at(source, "configMap.name")), "data");
    }
    if (source.containsKey("secret")) {
      return mapAt(manifests.get("Secret", (String) at(source, "secret.secretName")), "stringData");
    }
    return Map.of();
  }

  @Test
  @DisplayName("the NetworkPolicy admits members alone to the member and event-bus ports, clients to the rest")
  void networkPolicyMatchesPorts() {
    JsonObject config = effective();
    JsonObject cluster = config.getJsonObject("cluster");
    JsonObject relay = config.getJsonObject("relay");
    Map<String, Object> policy = manifests.only("NetworkPolicy");
    Object labels = at(statefulSet, "spec.template.metadata.labels");
    assertEquals(labels, at(policy, "spec.podSelector.matchLabels"));
    Set<String> members = Set.of("TCP/" + cluster.getInteger("port"), "TCP/" + cluster.getInteger("eventBusPort"));
    Set<String> clients = Set.of("TCP/" + config.getJsonObject("http").getInteger("port"),
      "UDP/" + relay.getInteger("port"), "TCP/" + relay.getJsonObject("tcp").getInteger("port"),
      "TCP/" + relay.getJsonObject("tls").getInteger("port"),
      "UDP/" + relay.getInteger("minPort") + "-" + relay.getInteger("maxPort"));
    List<Map<String, Object>> rules = listAt(policy, "spec.ingress");
    assertEquals(2, rules.size(), "one rule for members, one for clients");
    for (Map<String, Object> rule : rules) {
      Set<String> ports = new HashSet<>();
      listAt(rule, "ports").forEach(p -> ports.add(p.get("protocol") + "/" + p.get("port")
        + (p.containsKey("endPort") ? "-" + p.get("endPort") : "")));
      if (rule.containsKey("from")) {
        assertEquals(List.of(Map.of("podSelector", Map.of("matchLabels", labels))), rule.get("from"));
        assertEquals(members, ports, "member ports, for members only");
      } else {
        assertEquals(clients, ports, "client ports, open to all");
      }
    }
  }

  @Test
  @DisplayName("the image and its user are the ones the pom's Jib settings build")
  void imageMatchesJib() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(BASEDIR.resolve("pom.xml").toFile());
    String version = pom.getDocumentElement().getElementsByTagName("version").item(0).getTextContent().trim();
    String imageName = pom.getElementsByTagName("image.name").item(0).getTextContent().trim()
      .replace("${project.version}", version);
    assertEquals(imageName, container.get("image"));
    String[] user = pom.getElementsByTagName("user").item(0).getTextContent().trim().split(":");
    Map<String, Object> security = mapAt(statefulSet, "spec.template.spec.securityContext");
    assertEquals(Integer.parseInt(user[0]), security.get("runAsUser"));
    assertEquals(Integer.parseInt(user[1]), security.get("runAsGroup"));
    assertEquals(Boolean.TRUE, security.get("runAsNonRoot"));
  }

  @Test
  @DisplayName("the Secret examples hold every key the members read, for every replica")
  void secretsHoldEveryKey() {
    Map<String, String> env = podEnv(KubernetesManifestsTest::exampleSecret);
    String tlsDir = "/etc/switchboard/cluster-tls";
    Map<String, Object> tls = volumeSource(mountedVolume(tlsDir));
    Map<String, Object> secret = manifests.get("Secret", (String) at(tls, "secret.secretName"));
    Map<String, Object> files = mapAt(secret, "stringData");
    int replicas = (Integer) at(statefulSet, "spec.replicas");
    for (int ordinal = 0; ordinal < replicas; ordinal++) {
      String pod = at(statefulSet, "metadata.name") + "-" + ordinal;
      for (String key : List.of("CERT", "KEY", "CA")) {
        String path = env.get("SWITCHBOARD_CLUSTER_TLS_" + key).replace(POD_FIELDS.get("metadata.name"), pod);
        assertTrue(path.startsWith(tlsDir + "/"), path);
        assertTrue(files.containsKey(path.substring(tlsDir.length() + 1)), secret + " lacks " + path);
      }
    }
  }

  private static String exampleSecret(String ref) {
    String[] nameKey = ref.split("/");
    Object value = mapAt(manifests.get("Secret", nameKey[0]), "stringData").get(nameKey[1]);
    return value == null ? null : value.toString();
  }

  @Test
  @DisplayName("the node's validation accepts the pod's environment, and refuses the examples' placeholders")
  void environmentPassesValidation(@TempDir Path mounts) throws IOException {
    Map<String, String> env = new HashMap<>(podEnv(KubernetesManifestsTest::testSecret));
    // what the volumes put at their mount paths, under a temporary directory instead of /
    List<String> mountPaths = new ArrayList<>();
    for (Map<String, Object> mount : listAt(container, "volumeMounts")) {
      String mountPath = (String) mount.get("mountPath");
      mountPaths.add(mountPath + "/");
      Path local = mounts.resolve(mountPath.substring(1));
      Files.createDirectories(local);
      for (Map.Entry<String, Object> file : volumeFiles(volumeSource((String) mount.get("name"))).entrySet()) {
        Files.writeString(local.resolve(file.getKey()), String.valueOf(file.getValue()));
      }
    }
    env.replaceAll((name, value) -> mountPaths.stream().anyMatch(value::startsWith) ? mounts + value : value);
    SwitchboardConfig config = SwitchboardConfig.from(ConfigLoader.load(null, env));
    assertTrue(config.cluster().enabled());

    Map<String, String> placeholders = new HashMap<>(env);
    placeholders.putAll(podEnv(KubernetesManifestsTest::exampleSecret));
    placeholders.keySet().retainAll(env.keySet());
    placeholders.replaceAll((name, value) -> value.startsWith("/") ? env.get(name) : value);
    ConfigException refused = assertThrows(ConfigException.class,
      () -> SwitchboardConfig.from(ConfigLoader.load(null, placeholders)));
    assertTrue(refused.getMessage().contains("placeholder"), refused.getMessage());
  }
}
