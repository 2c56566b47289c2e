package io.switchboard.testing;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/** Third-party tools a test runs: they are required, never a reason to skip (with CI=true or without). */
public final class InstalledTools {

  private InstalledTools() {
  }

  /** Fails the calling test when a tool of {@code toolToPackage} (tool name → Debian package) is not on the PATH. */
  public static void require(Map<String, String> toolToPackage) {
    List<String> missing = new ArrayList<>();
    toolToPackage.forEach((tool, pkg) -> {
      if (!onPath(tool)) {
        missing.add(tool + " (apt-get install " + pkg + ")");
      }
    });
    if (!missing.isEmpty()) {
      fail("missing " + missing + ("true".equals(System.getenv("CI")) ? "; CI=true: .ci/run must install them" : "")
        + "; this test is never skipped");
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, tool).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
