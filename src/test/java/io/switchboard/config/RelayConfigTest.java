package io.switchboard.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("relay configuration")
class RelayConfigTest {

  private static final String SECRET = "q8Vx2LmT7nR4bK9wZp3YjH6dF1sGa5Ue0cNiOo7tXr2Wv4Qk";

  private static JsonObject withRelay(JsonObject relay) {
    JsonObject json = SwitchboardConfigTest.demo();
    json.getJsonObject("relay").mergeIn(relay);
    return json;
  }

  private static String refusal(JsonObject json) {
    return assertThrows(ConfigException.class, () -> SwitchboardConfig.from(json)).getMessage();
  }

  @Test
  @DisplayName("the default: on, 127.0.0.1:3478, relay ports 61000-65535 (outside Linux's 32768-60999), own relay "
    + "in iceServers with a made-up secret")
  void defaults() {
    SwitchboardConfig config = SwitchboardConfig.from(SwitchboardConfigTest.demo());
    SwitchboardConfig.Relay relay = config.relay();
    assertTrue(relay.enabled());
    assertEquals("127.0.0.1", relay.host());
    assertEquals(3478, relay.port());
    assertTrue(relay.minPort() > 60999, "relay ports must not overlap the kernel's outgoing range");
    assertEquals(65535, relay.maxPort());
    assertEquals("127.0.0.1", relay.publicHost());
    assertEquals(List.of("stun:127.0.0.1:3478"), config.ice().stunUrls());
    assertEquals(List.of("turn:127.0.0.1:3478?transport=udp"), config.ice().turnUrls());
    assertEquals(1, config.ice().turnSecrets().size());
    assertFalse(config.ice().generatedSecret(), "the own relay uses the made-up secret too: nothing to warn about");
  }

  @Test
  @DisplayName("outside development without a TURN secret, only the STUN entry is advertised")
  void productionWithoutSecret() {
    JsonObject json = ConfigLoader.builtInDefault();
    json.getJsonObject("auth").put("devTokens", false).put("hs256Secrets", new JsonArray().add(SECRET));
    SwitchboardConfig.Ice ice = SwitchboardConfig.from(json).ice();
    assertEquals(List.of("stun:127.0.0.1:3478"), ice.stunUrls());
    assertEquals(List.of(), ice.turnUrls());
  }

  @Test
  @DisplayName("configured STUN/TURN URLs (external servers) replace the own relay in iceServers")
  void externalServers() {
    JsonObject json = SwitchboardConfigTest.demo();
    json.getJsonObject("ice").put("turnUrls", new JsonArray().add("turn:turn.example.org:3478"))
      .put("turnSecrets", new JsonArray().add(SECRET));
    assertEquals(List.of("turn:turn.example.org:3478"), SwitchboardConfig.from(json).ice().turnUrls());
  }

  @Test
  @DisplayName("publicHost and an IPv6 externalAddress end up in the URLs; a wildcard host needs externalAddress")
  void addresses() {
    SwitchboardConfig config = SwitchboardConfig.from(withRelay(new JsonObject().put("host", "::")
      .put("externalAddress", "2001:db8::7")));
    assertEquals("2001:db8::7", config.relay().publicHost());
    assertEquals(List.of("stun:[2001:db8::7]:3478"), config.ice().stunUrls());
    assertEquals("turn.example.net", SwitchboardConfig.from(withRelay(new JsonObject()
      .put("publicHost", "turn.example.net"))).relay().publicHost());
    assertTrue(refusal(withRelay(new JsonObject().put("host", "0.0.0.0"))).contains("relay.externalAddress"));
    assertTrue(refusal(withRelay(new JsonObject().put("externalAddress", "REPLACE-ME: the public IP")))
      .contains("placeholder"));
    assertTrue(refusal(withRelay(new JsonObject().put("host", "relay.local"))).contains("relay.host"));
  }

  @Test
  @DisplayName("IPv6 keys: empty by default; host6, relayHost6 and externalAddress6 are IPv6 literals, from the "
    + "environment too")
  void ipv6Keys() {
    SwitchboardConfig.Relay defaults = SwitchboardConfig.from(SwitchboardConfigTest.demo()).relay();
    assertEquals(List.of("", "", ""), List.of(defaults.host6(), defaults.relayHost6(), defaults.externalAddress6()));
    JsonObject json = ConfigLoader.load(null, Map.of(
      "SWITCHBOARD_RELAY_HOST6", "::1",
      "SWITCHBOARD_RELAY_RELAY_HOST6", "::",
      "SWITCHBOARD_RELAY_EXTERNAL_ADDRESS6", "2001:db8::10",
      "SWITCHBOARD_AUTH_HS256_SECRETS", SECRET));
    SwitchboardConfig.Relay relay = SwitchboardConfig.from(json).relay();
    assertEquals(List.of("::1", "::", "2001:db8::10"),
      List.of(relay.host6(), relay.relayHost6(), relay.externalAddress6()));
    // docs/relay.md's public dual-stack relay: :: listens for both families, both relay families named
    SwitchboardConfig.Relay dualStack = SwitchboardConfig.from(withRelay(new JsonObject().put("host", "::")
      .put("relayHost", "0.0.0.0").put("externalAddress", "203.0.113.10").put("relayHost6", "::")
      .put("externalAddress6", "2001:db8::10").put("publicHost", "turn.example.org"))).relay();
    assertEquals("0.0.0.0", dualStack.relayHost());
    assertEquals("::", dualStack.relayHost6());
  }

  @Test
  @DisplayName("IPv6 keys: wrong families and missing companions are refused naming the key")
  void ipv6Refusals() {
    assertTrue(refusal(withRelay(new JsonObject().put("host6", "127.0.0.2"))).contains("relay.host6"));
    assertTrue(refusal(withRelay(new JsonObject().put("relayHost6", "10.0.0.1"))).contains("relay.relayHost6"));
    assertTrue(refusal(withRelay(new JsonObject().put("relayHost6", "::1").put("externalAddress6", "203.0.113.9")))
      .contains("relay.externalAddress6"));
    // a second IPv6 listener or relay address where the first one is IPv6 already
    assertTrue(refusal(withRelay(new JsonObject().put("host", "::1").put("host6", "::1"))).contains("relay.host6"));
    assertTrue(refusal(withRelay(new JsonObject().put("host", "::1").put("relayHost6", "::1")))
      .contains("relay.relayHost6"));
    // :: takes IPv4 too on Linux and collides with relay.host's port, wildcard or not
    assertTrue(refusal(withRelay(new JsonObject().put("host", "0.0.0.0").put("externalAddress", "203.0.113.9")
      .put("host6", "::"))).contains("relay.host6"));
    assertTrue(refusal(withRelay(new JsonObject().put("host6", "::"))).contains("relay.host6"));
    // a wildcard relayHost6 needs the public IPv6 address; externalAddress6 means nothing without relayHost6
    assertTrue(refusal(withRelay(new JsonObject().put("relayHost6", "::"))).contains("relay.externalAddress6"));
    assertTrue(refusal(withRelay(new JsonObject().put("externalAddress6", "2001:db8::10")))
      .contains("relay.relayHost6"));
    assertTrue(refusal(withRelay(new JsonObject().put("relayHost6", "::1")
      .put("externalAddress6", "REPLACE-ME")))
      .contains("placeholder"));
    // relay.externalAddress advertises relay.relayHost's sockets: the same family
    assertTrue(refusal(withRelay(new JsonObject().put("externalAddress", "2001:db8::7")))
      .contains("relay.externalAddress6"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"2001:db8::/7777777777777777777777732", "10.0.0.0/2147483648", "10.0.0.0/4294967304",
    "0.0.0.0/4294967296"})
  @DisplayName("a peer block whose prefix length overflows an int is refused: ipaddress 5.6.2 threw "
    + "ArrayIndexOutOfBoundsException or wrapped it around (10.0.0.0/4294967304 read as /8); found by fuzzing")
  void overlongPrefixLength(String block) {
    for (String key : new String[] {"allowedPeers", "deniedPeers"}) {
      String message = refusal(withRelay(new JsonObject().put(key, new JsonArray().add(block))));
      assertTrue(message.contains("relay." + key), message);
    }
    assertTrue(refusal(withRelay(new JsonObject().put("host", block))).contains("relay.host"));
  }

  @Test
  @DisplayName("invalid values are refused naming the key")
  void invalid() {
    assertTrue(refusal(withRelay(new JsonObject().put("minPort", 62000).put("maxPort", 61000)))
      .contains("relay.minPort"));
    assertTrue(refusal(withRelay(new JsonObject().put("port", 0))).contains("relay.port"));
    assertTrue(refusal(withRelay(new JsonObject().put("allowedPeers", new JsonArray().add("10.0.0.0/33"))))
      .contains("relay.allowedPeers"));
    assertTrue(refusal(withRelay(new JsonObject().put("deniedPeers", new JsonArray().add("example.org"))))
      .contains("relay.deniedPeers"));
    assertTrue(refusal(withRelay(new JsonObject().put("staticUsers", new JsonArray().add("bob:short"))))
      .contains("relay.staticUsers"));
    assertTrue(refusal(withRelay(new JsonObject().put("staticUsers", new JsonArray().add("nopassword"))))
      .contains("relay.staticUsers"));
    assertTrue(refusal(withRelay(new JsonObject().put("realm", "r".repeat(65)))).contains("relay.realm"));
    assertTrue(refusal(withRelay(new JsonObject().put("defaultLifetimeSeconds", 7200)))
      .contains("relay.defaultLifetimeSeconds"));
  }

  private static JsonObject tls(boolean enabled, int port, String cert, String key) {
    return new JsonObject().put("enabled", enabled).put("port", port).put("cert", cert).put("key", key)
      .put("reloadSeconds", 10);
  }

  @Test
  @DisplayName("TURN over TCP and TLS: off by default; TLS needs readable PEM files and a port of its own")
  void streams() throws Exception {
    RelayConfig.Streams defaults = SwitchboardConfig.from(SwitchboardConfigTest.demo()).relay().streams();
    assertFalse(defaults.tcpEnabled());
    assertFalse(defaults.tlsEnabled());
    assertEquals(3478, defaults.tcpPort());
    assertEquals(5349, defaults.tlsPort());
    assertEquals(10, defaults.authTimeoutSeconds());
    java.nio.file.Path pem = java.nio.file.Files.createTempFile("relay-tls", ".pem");
    try {
      assertTrue(refusal(withRelay(new JsonObject().put("tls", tls(true, 5349, "", "")))).contains("relay.tls.cert"));
      assertTrue(refusal(withRelay(new JsonObject().put("tls", tls(true, 5349, pem.toString(), "/nonexistent/key"))))
        .contains("relay.tls.key: cannot read /nonexistent/key"));
      assertTrue(refusal(withRelay(new JsonObject().put("tcp", new JsonObject().put("enabled", true).put("port", 443))
        .put("tls", tls(true, 443, pem.toString(), pem.toString())))).contains("relay.tls.port"));
      assertTrue(refusal(withRelay(new JsonObject().put("streamAuthTimeoutSeconds", 0)))
        .contains("relay.streamAuthTimeoutSeconds"));
      RelayConfig.Streams on = SwitchboardConfig.from(withRelay(new JsonObject()
        .put("tcp", new JsonObject().put("enabled", true).put("port", 3478))
        .put("tls", tls(true, 443, pem.toString(), pem.toString())))).relay().streams();
      assertTrue(on.tcpEnabled() && on.tlsEnabled());
      assertEquals(443, on.tlsPort());
      assertEquals(List.of("turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp",
        "turns:127.0.0.1:443?transport=tcp"), SwitchboardConfig.from(withRelay(new JsonObject()
        .put("tcp", new JsonObject().put("enabled", true).put("port", 3478))
        .put("tls", tls(true, 443, pem.toString(), pem.toString())))).ice().turnUrls(),
        "iceServers list the stream transports that listen");
    } finally {
      java.nio.file.Files.delete(pem);
    }
  }

  @Test
  @DisplayName("environment variables reach relay keys; a static user's password never shows in toString")
  void environment() {
    JsonObject json = ConfigLoader.load(null, Map.of(
      "SWITCHBOARD_RELAY_ALLOWED_PEERS", "127.0.0.0/8,::1",
      "SWITCHBOARD_RELAY_STATIC_USERS", "carol:" + SECRET,
      "SWITCHBOARD_RELAY_ENABLED", "false",
      "SWITCHBOARD_AUTH_HS256_SECRETS", SECRET));
    SwitchboardConfig.Relay relay = SwitchboardConfig.from(json).relay();
    assertFalse(relay.enabled());
    assertEquals(List.of("127.0.0.0/8", "::1"), relay.allowedPeers());
    assertEquals("carol", relay.staticUsers().get(0).name());
    assertFalse(relay.toString().contains(SECRET));
  }
}
