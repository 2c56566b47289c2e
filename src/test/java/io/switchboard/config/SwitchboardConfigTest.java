package io.switchboard.config;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("SwitchboardConfig.from: validation of the merged configuration")
class SwitchboardConfigTest {

  /** 48 characters, no placeholder word. */
  private static final String GOOD_SECRET = "q8Vx2LmT7nR4bK9wZp3YjH6dF1sGa5Ue0cNiOo7tXr2Wv4Qk";

  private static final Path PRODUCTION_EXAMPLE =
    Path.of(System.getProperty("basedir", ".")).resolve("conf/production.example.json");

  /** The built-in default with devTokens off and one good HS256 secret: a minimal production setup. */
  private static JsonObject production() {
    JsonObject json = ConfigLoader.builtInDefault();
    json.getJsonObject("auth").put("devTokens", false).put("hs256Secrets", new JsonArray().add(GOOD_SECRET));
    return json;
  }

  /** What {@code java -jar switchboard.jar} with no arguments runs: the built-in default in development mode. */
  static JsonObject demo() {
    JsonObject json = ConfigLoader.builtInDefault();
    json.getJsonObject("auth").put("devTokens", true);
    return json;
  }

  private static ConfigException refused(JsonObject json) {
    return assertThrows(ConfigException.class, () -> SwitchboardConfig.from(json));
  }

  private static void assertMentions(ConfigException e, String... words) {
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), "expected '" + word + "' in: " + e.getMessage());
    }
  }

  @ParameterizedTest(name = "{0}.{1} = {2}")
  @DisplayName("a value of the wrong type is refused with the key in the message, never a ClassCastException")
  @CsvSource(delimiter = '|', value = {
    "node | id | 42",
    "http | webroot | true",
    "http | host | 5",
    "auth | issuer | 1",
    "auth | audience | []",
    "auth | devTokens | \"yes\"",
    "http | allowedOrigins | \"https://a.example\"",
    "http | headerTimeoutSeconds | \"10\"",
    "http | exemptAddresses | \"10.0.0.1\""})
  void wrongTypes(String section, String key, String jsonValue) {
    JsonObject json = production();
    json.getJsonObject(section).put(key, Json.decodeValue(jsonValue));
    assertMentions(refused(json), section + "." + key);
  }

  @ParameterizedTest(name = "{0}")
  @DisplayName("a file setting with a NUL character is refused with ConfigException, not InvalidPathException"
    + " (fuzzing)")
  @ValueSource(strings = {
    "cluster.hazelcastConfig", "cluster.tls.cert", "auth.rs256PublicKeys", "auth.es256PublicKeys"})
  void nulInFilePath(String key) {
    JsonObject json = production();
    String bad = "conf/a\u0000b.pem";
    switch (key) {
      case "cluster.hazelcastConfig" -> json.getJsonObject("cluster").put("hazelcastConfig", bad);
      case "cluster.tls.cert" -> json.getJsonObject("cluster").getJsonObject("tls").put("cert", bad);
      default -> json.getJsonObject("auth").put(key.substring(5), new JsonArray().add(bad));
    }
    assertMentions(refused(json), key, "not a file path");
  }

  @Nested
  @DisplayName("cluster section")
  class ClusterSection {

    @Test
    @DisplayName("off by default; --cluster turns it on with the rest kept")
    void offByDefault() {
      JsonObject json = production();
      json.getJsonObject("cluster").put("insecure", true);
      SwitchboardConfig config = SwitchboardConfig.from(json);
      assertFalse(config.cluster().enabled());
      SwitchboardConfig.Cluster on = config.withClusterEnabled().cluster();
      assertTrue(on.enabled());
      assertEquals(config.cluster().name(), on.name());
      assertEquals(5, on.maxNoHeartbeatSeconds());
    }

    @Test
    @DisplayName("development tokens are refused in a cluster (from the file and with --cluster)")
    void developmentRefused() {
      JsonObject json = demo();
      json.getJsonObject("cluster").put("enabled", true);
      assertMentions(refused(json), "auth.devTokens", "cluster");
      assertMentions(assertThrows(ConfigException.class,
        () -> SwitchboardConfig.from(demo()).withClusterEnabled()), "auth.devTokens", "cluster");
    }

    @Test
    @DisplayName("a cluster needs event-bus TLS (all three files) unless cluster.insecure says otherwise, never both")
    void transport(@TempDir Path dir) throws IOException {
      JsonObject json = production();
      json.getJsonObject("cluster").put("enabled", true);
      assertMentions(refused(json), "cluster.tls.cert", "cluster.tls.key", "cluster.tls.ca", "cluster.insecure");
      json.getJsonObject("cluster").put("insecure", true);
      assertTrue(SwitchboardConfig.from(json).cluster().insecure());

      Path file = Files.writeString(dir.resolve("any.pem"), "x");
      JsonObject tls = new JsonObject().put("cert", file.toString()).put("key", file.toString())
        .put("ca", file.toString());
      json.getJsonObject("cluster").put("tls", tls);
      assertMentions(refused(json), "cluster.insecure", "cluster.tls");
      json.getJsonObject("cluster").put("insecure", false);
      assertTrue(SwitchboardConfig.from(json).cluster().tls().configured());

      json.getJsonObject("cluster").put("tls", tls.copy().put("ca", ""));
      assertMentions(refused(json), "cluster.tls needs cert, key and ca together");
      json.getJsonObject("cluster").put("tls", tls.copy().put("key", "/no/such/member.key"));
      assertMentions(refused(json), "cluster.tls.key", "/no/such/member.key");
    }

    @ParameterizedTest(name = "[{0}]")
    @DisplayName("cluster.host must be one IP address of this member, never a wildcard or a name")
    @ValueSource(strings = {"0.0.0.0", "::", "", "members.example", "10.0.0.0/8"})
    void hostNotWildcard(String host) {
      JsonObject json = production();
      json.getJsonObject("cluster").put("host", host);
      assertMentions(refused(json), "cluster.host");
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("a member entry must be host:port, one per member")
    @CsvSource({"127.0.0.1:5701-5703", "127.0.0.1", "host:port"})
    void badMembers(String member) {
      JsonObject json = production();
      json.getJsonObject("cluster").put("members", new JsonArray().add(member));
      assertMentions(refused(json), "cluster.members");
    }

    @Test
    @DisplayName("node ids and cluster names are limited to address-safe characters; heartbeat within 2-60 s")
    void names() {
      JsonObject badId = production();
      badId.getJsonObject("node").put("id", "node one");
      assertMentions(refused(badId), "node.id");
      JsonObject badName = production();
      badName.getJsonObject("cluster").put("name", "");
      assertMentions(refused(badName), "cluster.name");
      JsonObject badHeartbeat = production();
      badHeartbeat.getJsonObject("cluster").put("maxNoHeartbeatSeconds", 600);
      assertMentions(refused(badHeartbeat), "cluster.maxNoHeartbeatSeconds");
      JsonObject missingXml = production();
      missingXml.getJsonObject("cluster").put("hazelcastConfig", "/nonexistent/hazelcast.xml");
      assertMentions(refused(missingXml), "cluster.hazelcastConfig");
    }
  }

  @Nested
  @DisplayName("built-in default (conf/switchboard.json)")
  class BuiltInDefault {

    @Test
    @DisplayName("parses, with the limits docs/protocol.md gives as defaults")
    void parsesWithDocumentedDefaults() {
      SwitchboardConfig config = SwitchboardConfig.from(ConfigLoader.load(null,
        Map.of("SWITCHBOARD_AUTH_HS256_SECRETS", GOOD_SECRET)));
      assertEquals(64 * 1024, config.limits().maxFrameBytes());
      assertEquals(16 * 64 * 1024, config.limits().hardFrameBytes());
      assertEquals(50, config.limits().rateFramesPerSecond());
      assertEquals(200, config.limits().rateBurst());
      assertEquals(100, config.limits().maxParticipantsPerRoom());
      assertEquals(15, config.limits().pingIntervalSeconds());
      assertFalse(config.auth().devTokens(), "development mode is never a default");
      assertEquals("127.0.0.1", config.cluster().host());
      assertFalse(config.cluster().insecure());
      assertEquals(10, config.http().headerTimeoutSeconds());
      assertEquals(75, config.http().idleTimeoutSeconds());
      assertEquals(1000, config.http().maxConnectionsPerAddress());
      assertEquals(20, config.http().upgradesPerSecondPerAddress());
      assertEquals(200, config.http().upgradeBurstPerAddress());
      assertEquals(List.of("127.0.0.0/8", "::1"), config.http().exemptAddresses());
    }

    @Test
    @DisplayName("alone it has no JWT key, so it is refused: a node needs a key, or development mode asked for")
    void refusedWithoutKeyOrDevelopment() {
      assertMentions(refused(ConfigLoader.builtInDefault()), "no JWT key configured", "auth.hs256Secrets");
    }

    @Test
    @DisplayName("is the same as conf/switchboard.json in the project")
    void sameAsProjectFile() throws IOException {
      Path file = Path.of(System.getProperty("basedir", ".")).resolve("conf/switchboard.json");
      assertEquals(new JsonObject(Files.readString(file)), ConfigLoader.builtInDefault());
    }

    @Test
    @DisplayName("development mode without a secret generates a random one of 32+ characters and says so")
    void devModeGeneratesSecret() {
      SwitchboardConfig.Auth auth = SwitchboardConfig.from(demo()).auth();
      assertTrue(auth.generatedSecret());
      assertEquals(1, auth.hs256Secrets().size());
      String secret = auth.hs256Secrets().get(0);
      assertTrue(secret.length() >= SwitchboardConfig.MIN_SECRET_LENGTH, secret);
      String again = SwitchboardConfig.from(demo()).auth().hs256Secrets().get(0);
      assertNotEquals(auth.hs256Secrets().get(0), again, "each start must make up a new secret");
    }

    @Test
    @DisplayName("a configured secret is used as is and generatedSecret stays false")
    void configuredSecretNotGenerated() {
      JsonObject json = demo();
      json.getJsonObject("auth").put("hs256Secrets", new JsonArray().add(GOOD_SECRET));
      SwitchboardConfig.Auth auth = SwitchboardConfig.from(json).auth();
      assertFalse(auth.generatedSecret());
      assertEquals(List.of(GOOD_SECRET), auth.hs256Secrets());
    }
  }

  @Nested
  @DisplayName("conf/production.example.json")
  class ProductionExample {

    @Test
    @DisplayName("is refused as is, because its secret is a placeholder")
    void refusedAsIs() {
      JsonObject json = ConfigLoader.load(PRODUCTION_EXAMPLE, Map.of());
      ConfigException e = refused(json);
      assertMentions(e, "placeholder", "auth.hs256Secrets");
    }

    @Test
    @DisplayName("with a real JWT secret, its TURN placeholder secret is still refused")
    void turnPlaceholderRefused() {
      JsonObject json = ConfigLoader.load(PRODUCTION_EXAMPLE, Map.of("SWITCHBOARD_AUTH_HS256_SECRETS", GOOD_SECRET));
      assertMentions(refused(json), "placeholder", "ice.turnSecrets");
    }

    @Test
    @DisplayName("with both secrets set, the relay's placeholder public address is still refused")
    void relayAddressPlaceholderRefused() {
      JsonObject json = ConfigLoader.load(PRODUCTION_EXAMPLE, Map.of("SWITCHBOARD_AUTH_HS256_SECRETS", GOOD_SECRET,
        "SWITCHBOARD_ICE_TURN_SECRETS", GOOD_SECRET.toUpperCase()));
      assertMentions(refused(json), "placeholder", "relay.externalAddress");
    }

    @Test
    @DisplayName("with both secrets set from the environment, it is accepted")
    void acceptedWithRealSecrets() {
      JsonObject json = ConfigLoader.load(PRODUCTION_EXAMPLE, Map.of(
        "SWITCHBOARD_AUTH_HS256_SECRETS", GOOD_SECRET,
        "SWITCHBOARD_ICE_TURN_SECRETS", GOOD_SECRET.toUpperCase(),
        "SWITCHBOARD_RELAY_EXTERNAL_ADDRESS", "203.0.113.10"));
      SwitchboardConfig config = SwitchboardConfig.from(json);
      assertFalse(config.auth().devTokens());
      assertFalse(config.auth().generatedSecret());
      assertFalse(config.ice().generatedSecret());
      assertEquals("switchboard", config.auth().audience());
      assertEquals(List.of(GOOD_SECRET.toUpperCase()), config.ice().turnSecrets());
      assertEquals(List.of("turn:turn.example.org:3478?transport=udp"), config.ice().turnUrls(),
        "iceServers point at the node's own relay under its public name");
      assertEquals("203.0.113.10", config.relay().externalAddress());
    }
  }

  @Nested
  @DisplayName("secrets")
  class Secrets {

    @ParameterizedTest(name = "\"{0}\"")
    @DisplayName("a placeholder is refused with a message that says placeholder")
    @ValueSource(strings = {
      "REPLACE-ME: set SWITCHBOARD_AUTH_HS256_SECRETS to 32+ random characters",
      "change-me-change-me-change-me-change-me",
      "this-is-an-example-value-0123456789abcdef",
      "placeholder-placeholder-placeholder-0000",
      "my-super-secret-key-that-is-long-enough-1234",
    })
    void placeholderRefused(String secret) {
      JsonObject json = production();
      json.getJsonObject("auth").put("hs256Secrets", new JsonArray().add(GOOD_SECRET).add(secret));
      assertMentions(refused(json), "placeholder", "auth.hs256Secrets");
    }

    @Test
    @DisplayName("a secret of 31 characters is refused; 32 are enough")
    void minimumLength() {
      JsonObject json = production();
      json.getJsonObject("auth").put("hs256Secrets", new JsonArray().add(GOOD_SECRET.substring(0, 31)));
      assertMentions(refused(json), "auth.hs256Secrets", "31", "32");

      json.getJsonObject("auth").put("hs256Secrets", new JsonArray().add(GOOD_SECRET.substring(0, 32)));
      assertEquals(List.of(GOOD_SECRET.substring(0, 32)), SwitchboardConfig.from(json).auth().hs256Secrets());
    }

    @Test
    @DisplayName("a short TURN secret is refused too")
    void shortTurnSecret() {
      JsonObject json = production();
      json.getJsonObject("ice").put("turnUrls", new JsonArray().add("turn:t.example:3478"))
        .put("turnSecrets", new JsonArray().add("short"));
      assertMentions(refused(json), "ice.turnSecrets");
    }

    @Test
    @DisplayName("no JWT key with devTokens off is refused")
    void noKeyRefused() {
      JsonObject json = production();
      json.getJsonObject("auth").put("hs256Secrets", new JsonArray());
      assertMentions(refused(json), "no JWT key");
    }

    @Test
    @DisplayName("an ES256 public key alone is enough: nothing is generated")
    void publicKeyAlone(@TempDir Path dir) throws Exception {
      String pem = ecPublicKeyPem();
      JsonObject json = production();
      json.getJsonObject("auth").put("hs256Secrets", new JsonArray()).put("es256PublicKeys", new JsonArray().add(pem));
      SwitchboardConfig.Auth auth = SwitchboardConfig.from(json).auth();
      assertEquals(List.of(), auth.hs256Secrets());
      assertEquals(List.of(pem), auth.es256PublicKeys());
      assertFalse(auth.generatedSecret());

      Path file = dir.resolve("key.pem");
      Files.writeString(file, pem);
      json.getJsonObject("auth").put("es256PublicKeys", new JsonArray())
        .put("rs256PublicKeys", new JsonArray().add(file.toString()));
      assertEquals(List.of(pem), SwitchboardConfig.from(json).auth().rs256PublicKeys(), "a path is read as a PEM file");
    }

    @Test
    @DisplayName("a public key entry that is neither PEM nor a readable file is refused")
    void badPublicKey() {
      JsonObject json = production();
      json.getJsonObject("auth").put("es256PublicKeys", new JsonArray().add("/no/such/key.pem"));
      assertMentions(refused(json), "auth.es256PublicKeys");
    }
  }

  @Nested
  @DisplayName("TURN URLs without a TURN secret")
  class TurnWithoutSecret {

    private JsonObject withTurnUrls(JsonObject json) {
      json.getJsonObject("ice").put("turnUrls", new JsonArray().add("turn:t.example:3478?transport=udp"))
        .put("turnSecrets", new JsonArray());
      return json;
    }

    @Test
    @DisplayName("in development a random secret is generated and flagged")
    void generatedInDev() {
      SwitchboardConfig.Ice ice = SwitchboardConfig.from(withTurnUrls(demo())).ice();
      assertTrue(ice.generatedSecret());
      assertEquals(1, ice.turnSecrets().size());
      assertTrue(ice.turnSecrets().get(0).length() >= SwitchboardConfig.MIN_SECRET_LENGTH);
    }

    @Test
    @DisplayName("in production it is refused, naming the variable to set")
    void refusedInProduction() {
      assertMentions(refused(withTurnUrls(production())), "ice.turnSecrets", "SWITCHBOARD_ICE_TURN_SECRETS");
    }

    @Test
    @DisplayName("no TURN URLs and no secret is fine everywhere, and nothing is generated")
    void noTurnAtAll() {
      SwitchboardConfig.Ice ice = SwitchboardConfig.from(production()).ice();
      assertEquals(List.of(), ice.turnUrls());
      assertFalse(ice.generatedSecret());
    }
  }

  @Nested
  @DisplayName("http limits against hostile clients")
  class HttpLimits {

    @Test
    @DisplayName("each key is read from its environment variable")
    void fromEnvironment() {
      SwitchboardConfig config = SwitchboardConfig.from(ConfigLoader.load(null, Map.of(
        "SWITCHBOARD_AUTH_HS256_SECRETS", GOOD_SECRET,
        "SWITCHBOARD_HTTP_HEADER_TIMEOUT_SECONDS", "5",
        "SWITCHBOARD_HTTP_IDLE_TIMEOUT_SECONDS", "120",
        "SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "50",
        "SWITCHBOARD_HTTP_UPGRADES_PER_SECOND_PER_ADDRESS", "7",
        "SWITCHBOARD_HTTP_UPGRADE_BURST_PER_ADDRESS", "70",
        "SWITCHBOARD_HTTP_EXEMPT_ADDRESSES", "10.0.0.5, fd00::/8")));
      assertEquals(5, config.http().headerTimeoutSeconds());
      assertEquals(120, config.http().idleTimeoutSeconds());
      assertEquals(50, config.http().maxConnectionsPerAddress());
      assertEquals(7, config.http().upgradesPerSecondPerAddress());
      assertEquals(70, config.http().upgradeBurstPerAddress());
      assertEquals(List.of("10.0.0.5", "fd00::/8"), config.http().exemptAddresses());
    }

    @Test
    @DisplayName("0 turns the per-address cap and the upgrade rate off; the bounds are accepted")
    void zeroMeansOff() {
      JsonObject json = production();
      json.getJsonObject("http").put("maxConnectionsPerAddress", 0).put("upgradesPerSecondPerAddress", 0)
        .put("headerTimeoutSeconds", 1).put("idleTimeoutSeconds", 3600).put("upgradeBurstPerAddress", 1)
        .put("exemptAddresses", new JsonArray());
      SwitchboardConfig.Http http = SwitchboardConfig.from(json).http();
      assertEquals(0, http.maxConnectionsPerAddress());
      assertEquals(0, http.upgradesPerSecondPerAddress());
      assertEquals(List.of(), http.exemptAddresses());
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("an exempt entry must be an IP address or a CIDR block, never a host name")
    @ValueSource(strings = {"localhost", "proxy.example.org", "10.0.0.0/33", "300.1.2.3", "10.0.0.1:8080"})
    void badExemptAddress(String entry) {
      JsonObject json = production();
      json.getJsonObject("http").put("exemptAddresses", new JsonArray().add(entry));
      assertMentions(refused(json), "http.exemptAddresses", entry);
    }

    @Test
    @DisplayName("addresses and blocks of both families are accepted as exempt")
    void goodExemptAddresses() {
      JsonObject json = production();
      List<String> exempt = List.of("192.0.2.10", "10.0.0.0/8", "::1", "2001:db8::/32");
      json.getJsonObject("http").put("exemptAddresses", new JsonArray(exempt));
      assertEquals(exempt, SwitchboardConfig.from(json).http().exemptAddresses());
    }
  }

  @Nested
  @DisplayName("ranges")
  class Ranges {

    @ParameterizedTest(name = "{0}.{1} = {2}")
    @DisplayName("out-of-range or non-integral values are refused with the key in the message")
    @CsvSource({
      "limits, maxFrameBytes, 1023",
      "limits, maxFrameBytes, 16777217",
      "limits, rateFramesPerSecond, 0",
      "limits, rateBurst, 0",
      "limits, rateAbuseSeconds, 0",
      "limits, rateAbuseSeconds, 3601",
      "limits, maxParticipantsPerRoom, 0",
      "limits, maxParticipantsPerRoom, -5",
      "limits, pingIntervalSeconds, 0",
      "limits, maxQueuedBytes, 4095",
      "limits, rateBytesPerSecond, 1023",
      "limits, rateBytesBurst, 1023",
      "relay, maxAllocationsPerUserInCluster, -1",
      "limits, maxFrameBytes, 2048.5",
      "http, port, -1",
      "http, port, 65536",
      "http, edgeInstances, 257",
      "http, headerTimeoutSeconds, 0",
      "http, headerTimeoutSeconds, 301",
      "http, idleTimeoutSeconds, 0",
      "http, idleTimeoutSeconds, 3601",
      "http, maxConnectionsPerAddress, -1",
      "http, maxConnectionsPerAddress, 1000001",
      "http, upgradesPerSecondPerAddress, -1",
      "http, upgradesPerSecondPerAddress, 100001",
      "http, upgradeBurstPerAddress, 0",
      "http, upgradeBurstPerAddress, 1000001",
      "http, headerTimeoutSeconds, 2.5",
      "auth, clockSkewSeconds, 601",
      "ice, credentialTtlSeconds, 59",
      "rooms, gracePeriodSeconds, -1",
      "rooms, gracePeriodSeconds, 3601",
      "rooms, resumeBufferFrames, 0",
      "rooms, resumeBufferBytes, 1023",
    })
    void outOfRange(String section, String key, double value) {
      JsonObject json = production();
      json.getJsonObject(section).put(key, value == Math.rint(value) ? (Object) (long) value : (Object) value);
      assertMentions(refused(json), section + "." + key);
    }

    @Test
    @DisplayName("a number too large for a long is refused, not wrapped into range (18446744073709559696 is not 8080)")
    void noWrapAround() {
      JsonObject json = production();
      json.getJsonObject("http").put("port", new java.math.BigInteger("18446744073709559696"));
      assertMentions(refused(json), "http.port", "18446744073709559696");
      json.getJsonObject("http").put("port", new java.math.BigInteger("-18446744073709543536"));
      assertMentions(refused(json), "http.port");
    }

    @Test
    @DisplayName("rooms.duplicateIdentity is replace or reject")
    void duplicateIdentity() {
      JsonObject json = production();
      json.getJsonObject("rooms").put("duplicateIdentity", "kick");
      assertMentions(refused(json), "rooms.duplicateIdentity");
      json.getJsonObject("rooms").put("duplicateIdentity", "reject");
      assertEquals(SwitchboardConfig.DuplicateIdentity.REJECT,
        SwitchboardConfig.from(json).rooms().duplicateIdentity());
    }

    @Test
    @DisplayName("log.format is text (the default) or json, also from SWITCHBOARD_LOG_FORMAT")
    void logFormat() {
      assertEquals(SwitchboardConfig.Log.Format.TEXT, SwitchboardConfig.from(production()).log().format());
      JsonObject json = production();
      json.getJsonObject("log").put("format", "xml");
      assertMentions(refused(json), "log.format", "xml");
      JsonObject fromEnv = ConfigLoader.load(null, Map.of("SWITCHBOARD_LOG_FORMAT", "json"));
      fromEnv.getJsonObject("auth").put("hs256Secrets", new JsonArray().add(GOOD_SECRET));
      assertEquals(SwitchboardConfig.Log.Format.JSON, SwitchboardConfig.from(fromEnv).log().format());
    }

    @Test
    @DisplayName("a number given as a string is refused")
    void numberAsString() {
      JsonObject json = production();
      json.getJsonObject("limits").put("rateBurst", "200");
      assertMentions(refused(json), "limits.rateBurst");
    }

    @Test
    @DisplayName("the bounds themselves are accepted")
    void boundsAccepted() {
      JsonObject json = production();
      json.getJsonObject("limits").put("maxFrameBytes", 1024).put("maxParticipantsPerRoom", 1);
      assertEquals(1024, SwitchboardConfig.from(json).limits().maxFrameBytes());
      json.getJsonObject("limits").put("maxFrameBytes", 16 * 1024 * 1024).put("rateBytesBurst", 16 * 1024 * 1024);
      assertEquals(16 * 1024 * 1024, SwitchboardConfig.from(json).limits().maxFrameBytes());
    }

    @Test
    @DisplayName("a byte burst smaller than the largest frame allowed is refused: such a frame could never pass")
    void byteBurstCoversFrames() {
      JsonObject json = production();
      json.getJsonObject("limits").put("maxFrameBytes", 65536).put("rateBytesBurst", 65535);
      assertMentions(refused(json), "limits.rateBytesBurst", "limits.maxFrameBytes");
    }

    @Test
    @DisplayName("a missing section is refused by name")
    void missingSection() {
      JsonObject json = production();
      json.remove("limits");
      assertMentions(refused(json), "limits");
    }

    @Test
    @DisplayName("a blank http.host is refused")
    void blankHost() {
      JsonObject json = production();
      json.getJsonObject("http").put("host", " ");
      assertMentions(refused(json), "http.host");
    }
  }

  private static String ecPublicKeyPem() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    byte[] der = generator.generateKeyPair().getPublic().getEncoded();
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der)
      + "\n-----END PUBLIC KEY-----\n";
  }
}
