package io.switchboard.testing;

import io.switchboard.tls.PemMaterial;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * A TLS client for tests of the HTTP port: a fresh handshake with the JDK's {@link SSLSocket}, trusting only a test
 * CA, reporting what the server presented. A new socket each time, never a resumed session: what a new client sees.
 */
public final class TlsProbe {

  private static final int READ_TIMEOUT_MILLIS = 5000;

  private TlsProbe() {
  }

  /**
   * What one handshake settled on.
   *
   * @param protocol the negotiated version ({@code TLSv1.3})
   * @param fingerprint SHA-256 of the server's leaf certificate, as {@link PemMaterial#fingerprint()} gives it
   */
  public record Handshake(String protocol, String fingerprint) {
  }

  /** A client context that trusts the certificates in the PEM file {@code ca} and nothing else. */
  public static SSLContext trusting(Path ca) {
    try (InputStream in = Files.newInputStream(ca)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the test CA " + ca, e);
    }
  }

  /** Handshakes with 127.0.0.1:{@code port} offering only {@code protocols}; throws when the server refuses. */
  public static Handshake handshake(int port, Path ca, String... protocols) throws IOException {
    try (SSLSocket socket = (SSLSocket) trusting(ca).getSocketFactory()
      .createSocket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      if (protocols.length > 0) {
        socket.setEnabledProtocols(protocols);
      }
      socket.startHandshake();
      X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      return new Handshake(socket.getSession().getProtocol(), PemMaterial.fingerprint(leaf));
    }
  }

  /**
   * Makes new handshakes until one presents a leaf matching {@code expected}, or {@code deadline} has passed;
   * returns the last handshake's fingerprint either way.
   */
  public static String awaitFingerprint(int port, Path ca, Predicate<String> expected, Duration deadline)
    throws IOException, InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    String seen = handshake(port, ca).fingerprint();
    while (!expected.test(seen) && System.nanoTime() < end) {
      Thread.sleep(100);
      seen = handshake(port, ca).fingerprint();
    }
    return seen;
  }
}
