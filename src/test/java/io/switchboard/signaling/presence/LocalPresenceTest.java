package io.switchboard.signaling.presence;

import io.switchboard.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Presence over the in-memory room store: a single node")
class LocalPresenceTest extends PresenceSuite {

  @Override
  protected Nodes start(JsonObject overrides) {
    TestNode node = TestNode.start(settings().mergeIn(overrides, true));
    return new Nodes() {
      @Override
      public TestNode node(int index) {
        return node;
      }

      @Override
      public void close() {
        try {
          node.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }
}
