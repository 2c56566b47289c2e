package io.switchboard.relay.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.switchboard.tls.NettyServerTls;
import io.switchboard.tls.PemFileWatcher;
import io.switchboard.tls.PemMaterial;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import javax.net.ssl.SSLException;
import java.time.Clock;
import java.time.Duration;

/**
 * The TURN-over-TLS server context of one relay instance: the certificate and key of {@code relay.tls}, TLS 1.2 and
 * 1.3 only, ALPN "stun.turn" (RFC 7443) selected when a client offers it (a client offering nothing, or only other
 * protocols, is served without ALPN). When the files are renewed the context is swapped: new handshakes use the new
 * pair, open connections keep the one they were made with.
 */
final class TurnTlsContext {

  private static final System.Logger LOG = System.getLogger(TurnTlsContext.class.getName());

  /** The ALPN protocol id of TURN (RFC 7443). */
  static final String ALPN_STUN_TURN = "stun.turn";

  private final PemFileWatcher watcher;
  private volatile SslContext current;

  private TurnTlsContext(PemFileWatcher watcher, SslContext initial) {
    this.watcher = watcher;
    this.current = initial;
  }

  /**
   * Reads the pair off the event loop, builds the context, and polls the files every {@code reload} (zero: never).
   * Call it on the relay instance's context: the reload then happens on it too.
   */
  static Future<TurnTlsContext> load(Vertx vertx, String certFile, String keyFile, Duration reload, Clock clock) {
    return vertx.executeBlocking(() -> {
      PemMaterial material = PemMaterial.read("relay.tls", certFile, keyFile, clock.instant());
      return new Object[] {material, build(material)};
    }).map(read -> {
      PemMaterial material = (PemMaterial) read[0];
      PemFileWatcher watcher = new PemFileWatcher(vertx, "relay.tls", material, clock);
      TurnTlsContext context = new TurnTlsContext(watcher, (SslContext) read[1]);
      watcher.subscribe(context::renewed);
      watcher.start(reload);
      return context;
    });
  }

  static SslContext build(PemMaterial material) throws SSLException {
    return NettyServerTls.context(material, ALPN_STUN_TURN);
  }

  private void renewed(PemMaterial material) {
    try {
      current = build(material);
    } catch (SSLException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "relay.tls: the renewed pair cannot be served, keeping the previous one: "
        + e.getMessage());
    }
  }

  /**
   * A server-side handler for one new connection, with the context in service now. Its own handshake timeout is
   * off: the connection's authentication timeout bounds the handshake and counts it.
   */
  SslHandler newHandler(ByteBufAllocator alloc) {
    SslHandler handler = current.newHandler(alloc);
    handler.setHandshakeTimeoutMillis(0);
    return handler;
  }

  void stop() {
    watcher.stop();
  }
}
