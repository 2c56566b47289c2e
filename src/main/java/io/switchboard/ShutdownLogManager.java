package io.switchboard;

import java.util.logging.LogManager;

/**
 * JUL's own shutdown hook resets the log manager, closing every handler, while the node's shutdown hook is
 * still draining: "draining" and "stopped" would never reach the log. This manager skips the reset once
 * the JVM is shutting down; the console handler flushes every record, so nothing is lost at exit.
 */
public final class ShutdownLogManager extends LogManager {

  @Override
  public void reset() {
    if (!jvmShuttingDown()) {
      super.reset();
    }
  }

  private static boolean jvmShuttingDown() {
    try {
      Thread probe = new Thread(() -> { });
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }
}
