package io.switchboard.signaling.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("HazelcastSetup: the shipped Hazelcast files and Switchboard's overrides")
class HazelcastSetupTest {

  private static final String SECRET = "q8Vx2LmT7nR4bK9wZp3YjH6dF1sGa5Ue0cNiOo7tXr2Wv4Qk";

  private static SwitchboardConfig.Cluster cluster(JsonObject overrides) {
    JsonObject json = ConfigLoader.builtInDefault();
    json.getJsonObject("auth").put("hs256Secrets", new JsonArray().add(SECRET));
    json.getJsonObject("cluster").mergeIn(overrides);
    return SwitchboardConfig.from(json).cluster();
  }

  @ParameterizedTest(name = "file [{0}]")
  @DisplayName("every shipped file (built-in when empty) parses, keeps Vert.x's structures, no multicast, no phone-home")
  @ValueSource(strings = {"", "cluster/hazelcast-network.xml", "cluster/hazelcast-kubernetes.xml"})
  void shippedFiles(String file) {
    String path = file.isEmpty() ? "" : Path.of(System.getProperty("basedir", ".")).resolve(file).toString();
    Config config = HazelcastSetup.build(cluster(new JsonObject().put("hazelcastConfig", path)), "node-x");
    assertFalse(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    assertEquals("5", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertTrue(config.getMultiMapConfigs().containsKey("__vertx.subs"));
    assertTrue(config.getMapConfigs().containsKey("__vertx.nodeInfo"));
    assertEquals(InMemoryFormat.OBJECT, config.getMapConfig(HazelcastSetup.ROOMS_MAP).getInMemoryFormat());
    assertEquals("node-x", config.getMemberAttributeConfig().getAttribute(ClusterMembership.NODE_ATTRIBUTE));
  }

  @Test
  @DisplayName("port, members, host, name and heartbeat from Switchboard's configuration override the file")
  void overrides() {
    Config config = HazelcastSetup.build(cluster(new JsonObject().put("name", "blue").put("port", 25701)
      .put("host", "127.0.0.1").put("maxNoHeartbeatSeconds", 8)
      .put("members", new JsonArray().add("127.0.0.1:25701").add("127.0.0.1:25702"))), "n1");
    assertEquals("blue", config.getClusterName());
    assertEquals(25701, config.getNetworkConfig().getPort());
    assertFalse(config.getNetworkConfig().isPortAutoIncrement());
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertEquals(List.of("127.0.0.1:25701", "127.0.0.1:25702"), join.getTcpIpConfig().getMembers());
    assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals("8", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
  }
}
