package io.switchboard.testing;

import io.switchboard.tls.PemMaterial;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/** What the TLS listener tests share: renewing served files, naming a certificate, and a server-side close. */
public final class TlsFiles {

  private TlsFiles() {
  }

  /** Replaces {@code target} the way a renewal tool does: the complete file, renamed over the old one. */
  public static void replace(Path target, Path source) throws IOException {
    Path temporary = target.resolveSibling(target.getFileName() + ".new");
    Files.copy(source, temporary, StandardCopyOption.REPLACE_EXISTING);
    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** SHA-256 of the pair's leaf certificate, as the node reports and serves it. */
  public static String fingerprint(TestCertificates.Member pair) {
    return PemMaterial.read("test", pair.cert().toString(), pair.key().toString(), Instant.now()).fingerprint();
  }

  /**
   * The server must close {@code socket} (end of stream or reset) before the socket's read timeout ends: anything
   * it sends first (an alert) is read and ignored.
   */
  public static void assertClosedByServer(Socket socket, String who) throws IOException {
    InputStream in = socket.getInputStream();
    try {
      while (in.read() >= 0) {
        // an alert, if the server sends one before closing
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError(who + " was still connected " + socket.getSoTimeout() / 1000 + " s after "
        + "connecting", e);
    } catch (SocketException reset) {
      // closed with a reset: closed all the same
    }
  }
}
