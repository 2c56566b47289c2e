package io.switchboard;

import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("NodeListeners: where a node's services listen, as the relay refuses them and members announce them")
class NodeListenersTest {

  private static SwitchboardConfig config(JsonObject overrides) {
    JsonObject json = ConfigLoader.builtInDefault().mergeIn(overrides, true);
    json.getJsonObject("auth")
      .put("hs256Secrets", new JsonArray().add("q8Vx2LmT7nR4bK9wZp3YjH6dF1sGa5Ue0cNiOo7tXr2Wv4Qk"));
    return SwitchboardConfig.from(json);
  }

  @Test
  @DisplayName("every address times every port: relay, HTTP, and the ports known once started")
  void product() {
    SwitchboardConfig config = config(new JsonObject()
      .put("http", new JsonObject().put("port", 9000))
      .put("relay", new JsonObject().put("port", 3478).put("externalAddress", "8.8.8.8")));
    Set<InetSocketAddress> endpoints = NodeListeners.of(config, 5701, 0);
    for (String host : new String[] {"127.0.0.1", "8.8.8.8"}) {
      for (int port : new int[] {3478, 9000, 5701}) {
        assertTrue(endpoints.contains(new InetSocketAddress(host, port)), host + ":" + port + " in " + endpoints);
      }
    }
    assertEquals(6, endpoints.size(), "port 0 (not known) adds nothing: " + endpoints);
  }

  @Test
  @DisplayName("a wildcard http.host stands for every address of the machine")
  void wildcard() {
    SwitchboardConfig config = config(new JsonObject().put("http", new JsonObject().put("host", "0.0.0.0")
      .put("port", 9000)).put("relay", new JsonObject().put("enabled", false)));
    Set<InetSocketAddress> endpoints = NodeListeners.of(config);
    assertTrue(endpoints.contains(new InetSocketAddress("127.0.0.1", 9000)), endpoints.toString());
    assertTrue(endpoints.size() > 1, "loopback and the machine's other addresses: " + endpoints);
  }

  @Test
  @DisplayName("the member attribute round-trips, and a garbled one from another member yields nothing harmful")
  void attribute() {
    SwitchboardConfig config = config(new JsonObject()
      .put("cluster", new JsonObject().put("enabled", true).put("insecure", true).put("port", 5701)
        .put("eventBusPort", 5801)));
    String described = NodeListeners.describe(config);
    Set<InetSocketAddress> parsed = NodeListeners.parse(described);
    assertTrue(parsed.contains(new InetSocketAddress("127.0.0.1", 5801)), described);
    assertTrue(parsed.contains(new InetSocketAddress("127.0.0.1", 3478)), described);
    assertEquals(Set.of(), NodeListeners.parse(null));
    assertEquals(Set.of(), NodeListeners.parse("no separator"));
    assertEquals(Set.of(new InetSocketAddress("10.0.0.1", 80)),
      NodeListeners.parse("10.0.0.1,example.org,300.1.1.1|80,0,99999,x"));
  }
}
