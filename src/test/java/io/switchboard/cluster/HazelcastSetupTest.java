package io.switchboard.cluster;

import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.instance.EndpointQualifier;
import io.switchboard.config.ConfigException;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.signaling.presence.hazelcast.PresenceSerializers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("HazelcastSetup: the shipped Hazelcast files and what Switchboard enforces over them")
class HazelcastSetupTest {

  private static final String SECRET = "q8Vx2LmT7nR4bK9wZp3YjH6dF1sGa5Ue0cNiOo7tXr2Wv4Qk";

  private static SwitchboardConfig.Cluster cluster(JsonObject overrides) {
    JsonObject json = ConfigLoader.builtInDefault();
    json.getJsonObject("auth").put("hs256Secrets", new JsonArray().add(SECRET));
    json.getJsonObject("cluster").mergeIn(overrides);
    return SwitchboardConfig.from(json).cluster();
  }

  private static Config build(JsonObject overrides) {
    return HazelcastSetup.build(cluster(overrides), java.util.Map.of(ClusterMembership.NODE_ATTRIBUTE, "node-x"),
      PresenceSerializers.all());
  }

  private static ServerSocketEndpointConfig memberEndpoint(Config config) {
    return (ServerSocketEndpointConfig) config.getAdvancedNetworkConfig().getEndpointConfigs()
      .get(EndpointQualifier.MEMBER);
  }

  @ParameterizedTest(name = "file [{0}]")
  @DisplayName("every shipped file (built-in when empty) parses, keeps Vert.x's structures, no multicast, "
    + "no phone-home")
  @ValueSource(strings = {"", "cluster/hazelcast-network.xml", "cluster/hazelcast-kubernetes.xml"})
  void shippedFiles(String file) {
    String path = file.isEmpty() ? "" : Path.of(System.getProperty("basedir", ".")).resolve(file).toString();
    Config config = build(new JsonObject().put("hazelcastConfig", path));
    assertFalse(config.getAdvancedNetworkConfig().getJoin().getMulticastConfig().isEnabled());
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    assertEquals("5", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertTrue(config.getMultiMapConfigs().containsKey("__vertx.subs"));
    assertTrue(config.getMapConfigs().containsKey("__vertx.nodeInfo"));
    assertEquals(InMemoryFormat.OBJECT, config.getMapConfig(HazelcastSetup.ROOMS_MAP).getInMemoryFormat());
    assertEquals("node-x", config.getMemberAttributeConfig().getAttribute(ClusterMembership.NODE_ATTRIBUTE));
  }

  @ParameterizedTest(name = "file [{0}]")
  @DisplayName("whatever the file: the member protocol alone, on cluster.host alone, and Java deserialization "
    + "allow-listed")
  @ValueSource(strings = {"", "cluster/hazelcast-network.xml", "cluster/hazelcast-kubernetes.xml"})
  void exposure(String file) {
    String path = file.isEmpty() ? "" : Path.of(System.getProperty("basedir", ".")).resolve(file).toString();
    Config config = build(new JsonObject().put("hazelcastConfig", path));
    AdvancedNetworkConfig network = config.getAdvancedNetworkConfig();
    assertTrue(network.isEnabled(), "only the advanced network can leave out the client protocol");
    assertEquals(List.of(EndpointQualifier.MEMBER), List.copyOf(network.getEndpointConfigs().keySet()));
    assertTrue(memberEndpoint(config).getInterfaces().isEnabled());
    assertEquals(List.of("127.0.0.1"), List.copyOf(memberEndpoint(config).getInterfaces().getInterfaces()));
    for (String property : List.of("hazelcast.socket.bind.any", "hazelcast.socket.server.bind.any",
      "hazelcast.socket.client.bind.any")) {
      assertEquals("false", config.getProperty(property), property);
    }
    assertNotNull(config.getSerializationConfig().getJavaSerializationFilterConfig());
    assertFalse(config.getSerializationConfig().getJavaSerializationFilterConfig().isDefaultsDisabled());
    assertEquals(PresenceSerializers.all().size(), config.getSerializationConfig().getSerializerConfigs().size());
  }

  @Test
  @DisplayName("port, members, host, name and heartbeat from Switchboard's configuration override the file")
  void overrides() {
    Config config = build(new JsonObject().put("name", "blue").put("port", 25701)
      .put("host", "127.0.0.1").put("maxNoHeartbeatSeconds", 8)
      .put("members", new JsonArray().add("127.0.0.1:25701").add("127.0.0.1:25702")));
    assertEquals("blue", config.getClusterName());
    assertEquals(25701, memberEndpoint(config).getPort());
    assertFalse(memberEndpoint(config).isPortAutoIncrement());
    JoinConfig join = config.getAdvancedNetworkConfig().getJoin();
    assertEquals(List.of("127.0.0.1:25701", "127.0.0.1:25702"), join.getTcpIpConfig().getMembers());
    assertEquals("8", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
  }

  @Test
  @DisplayName("a file's <network> port and public address carry over to the member endpoint")
  void networkCarriedOver(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("hz.xml");
    Files.writeString(file, hazelcastXml("""
      <network>
        <public-address>203.0.113.7:5801</public-address>
        <port auto-increment="false">5801</port>
        <join><multicast enabled="false"/><tcp-ip enabled="true"><member>10.0.0.1:5801</member></tcp-ip></join>
      </network>"""));
    Config config = build(new JsonObject().put("hazelcastConfig", file.toString()));
    assertEquals(5801, memberEndpoint(config).getPort());
    assertEquals("203.0.113.7:5801", memberEndpoint(config).getPublicAddress());
    assertEquals(List.of("10.0.0.1:5801"), config.getAdvancedNetworkConfig().getJoin().getTcpIpConfig().getMembers());
  }

  @Test
  @DisplayName("a file whose <advanced-network> opens a client endpoint is refused with the reason")
  void clientEndpointRefused(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("hz.xml");
    Files.writeString(file, hazelcastXml("""
      <advanced-network enabled="true">
        <join><multicast enabled="false"/><tcp-ip enabled="true"><member>127.0.0.1:5701</member></tcp-ip></join>
        <member-server-socket-endpoint-config><port>5701</port></member-server-socket-endpoint-config>
        <client-server-socket-endpoint-config><port>9090</port></client-server-socket-endpoint-config>
      </advanced-network>"""));
    ConfigException refused = assertThrows(ConfigException.class,
      () -> build(new JsonObject().put("hazelcastConfig", file.toString())));
    assertTrue(refused.getMessage().contains("CLIENT endpoint"), refused.getMessage());
  }

  private static String hazelcastXml(String network) {
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <hazelcast xmlns="http://www.hazelcast.com/schema/config"
                 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                 xsi:schemaLocation="http://www.hazelcast.com/schema/config
                 http://www.hazelcast.com/schema/config/hazelcast-config-5.6.xsd">
      """ + network + "\n</hazelcast>\n";
  }
}
