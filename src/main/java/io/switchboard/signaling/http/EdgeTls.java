package io.switchboard.signaling.http;

import io.switchboard.tls.PemFileWatcher;
import io.switchboard.tls.PemMaterial;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ServerSSLOptions;

import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One edge instance's share of the HTTP port's TLS ({@code http.tls}): the settings its server listens with, and
 * the renewed certificates it hands to that server while it runs. Handshakes made before a renewal keep their
 * certificate: open WebSockets are not touched.
 */
final class EdgeTls {

  private static final System.Logger LOG = System.getLogger(EdgeTls.class.getName());

  /** TLS 1.0 and 1.1 are deprecated (RFC 8996); every browser that runs WebRTC speaks 1.2 or 1.3. */
  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private final PemFileWatcher certificates;
  private final long handshakeTimeoutSeconds;
  private ServerSSLOptions serving;
  private Runnable unsubscribe = () -> { };

  /**
   * @param handshakeTimeoutSeconds a connection that has not finished its handshake by then is closed (the header
   *                                timeout starts only after it, when Vert.x reports the connection)
   */
  EdgeTls(PemFileWatcher certificates, long handshakeTimeoutSeconds) {
    this.certificates = certificates;
    this.handshakeTimeoutSeconds = handshakeTimeoutSeconds;
  }

  /** TLS only, with the pair in service now; no ALPN, so HTTP/1.1 as on a plain port (WebSockets upgrade over it). */
  HttpServerOptions configure(HttpServerOptions options) {
    options.setSsl(true)
      .setKeyCertOptions(certificates.current().keyCertOptions())
      .setEnabledSecureTransportProtocols(PROTOCOLS)
      .setSslHandshakeTimeout(handshakeTimeoutSeconds)
      .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    serving = options.getSslOptions().copy();
    return options;
  }

  /**
   * From now on, each renewed pair is handed to {@code server} on {@code context} (the instance's event loop). In
   * Vert.x 5.1 the instances sharing a port share one server and its TLS context, so the first instance's update
   * already serves every new connection (HttpTlsTest.reloadKeepsOpenSessions, with three instances, passes with
   * one instance updating); each instance updates anyway, so this does not depend on that detail: the later
   * updates carry the same options as the first.
   */
  void follow(Context context, HttpServer server) {
    unsubscribe = certificates.subscribe(pair -> context.runOnContext(v -> update(server, pair)));
  }

  void stop() {
    unsubscribe.run();
  }

  private void update(HttpServer server, PemMaterial pair) {
    serving = serving.copy().setKeyCertOptions(pair.keyCertOptions());
    server.updateSSLOptions(serving).onFailure(e -> LOG.log(System.Logger.Level.WARNING,
      "http.tls: the HTTP server did not take the renewed certificate {0}: {1}", pair.describe(), e.toString()));
  }
}
