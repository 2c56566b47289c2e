package io.switchboard.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Clean-up shared by the browser tests: closing everything even when one close fails, and browser profiles. */
final class BrowserResources {

  private BrowserResources() {
  }

  /** Closes every non-null resource in order; the first failure is thrown with the others suppressed. */
  static void closeAll(List<? extends AutoCloseable> resources) throws Exception {
    List<Exception> failures = new ArrayList<>();
    for (AutoCloseable resource : resources) {
      try {
        if (resource != null) {
          resource.close();
        }
      } catch (Exception e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      Exception first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  /** A browser's helper processes may still be writing while they exit: a few attempts before giving up. */
  static void deleteRecursively(Path dir) {
    IOException last = null;
    for (int attempt = 0; attempt < 5 && Files.exists(dir); attempt++) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
        return;
      } catch (IOException | UncheckedIOException e) {
        last = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e;
        try {
          Thread.sleep(200);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (Files.exists(dir)) {
      throw new UncheckedIOException("cannot delete the browser directory " + dir, last);
    }
  }
}
