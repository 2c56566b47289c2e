package io.switchboard;

import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.testing.Http;
import io.switchboard.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("node start-up")
class NodeStartTest {

  @Test
  @DisplayName("a node that cannot start reports the failure instead of hanging or exiting quietly")
  void portInUse() throws Exception {
    try (TestNode first = TestNode.start()) {
      JsonObject json = ConfigLoader.builtInDefault()
        .mergeIn(new JsonObject().put("http", new JsonObject().put("port", first.port())), true);
      Exception failure = assertThrows(Exception.class,
        () -> Node.start(SwitchboardConfig.from(json)).await(20, TimeUnit.SECONDS));
      assertTrue(!(failure instanceof java.util.concurrent.TimeoutException), "start must fail, not hang: " + failure);
    }
  }

  @Test
  @DisplayName("an absolute http.webroot is served")
  void absoluteWebroot(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("index.html"), "<p>served from an absolute webroot</p>");
    try (TestNode node = TestNode.start(new JsonObject().put("http",
      new JsonObject().put("webroot", dir.toAbsolutePath().toString())))) {
      Http.Response page = Http.get(node.port(), "/", null);
      assertEquals(200, page.status());
      assertEquals("<p>served from an absolute webroot</p>", page.body());
    }
  }
}
