package io.switchboard.oneport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where the one-port listener hands HTTP connections to the node's HTTP server: a Unix socket in a directory only
 * this process's user can enter, so nobody else on the machine can connect to it and claim any client address in a
 * PROXY header. Made before the HTTP server listens, removed when the node stops.
 */
public final class InternalHttpSocket {

  private final Path directory;
  private final Path socket;

  private InternalHttpSocket(Path directory) {
    this.directory = directory;
    this.socket = directory.resolve("http.sock");
  }

  /** A fresh private directory (mode 0700) under the system's temporary directory. */
  public static InternalHttpSocket create() {
    try {
      return new InternalHttpSocket(Files.createTempDirectory("switchboard-oneport-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
    } catch (IOException e) {
      throw new UncheckedIOException("one-port: cannot make a private directory for the HTTP server's socket", e);
    }
  }

  public Path path() {
    return socket;
  }

  /** Removes the socket file and its directory; quietly, since the node is stopping anyway. */
  public void delete() {
    try {
      Files.deleteIfExists(socket);
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      System.getLogger(InternalHttpSocket.class.getName()).log(System.Logger.Level.DEBUG,
        "one-port: could not remove {0}: {1}", directory, e.toString());
    }
  }
}
