package io.switchboard.oneport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.switchboard.tls.NettyServerTls;
import io.switchboard.tls.PemFileWatcher;
import io.switchboard.tls.PemMaterial;

import javax.net.ssl.SSLException;
import java.io.UncheckedIOException;
import java.io.IOException;

/**
 * The one-port listener's TLS: the HTTP port's certificate ({@code http.tls}), since browsers check the same host
 * name for https, wss and {@code turns:}, renewed when its watcher reads new files (open connections keep theirs).
 * ALPN offers TURN ({@code stun.turn}, RFC 7443) and HTTP/1.1; a client that offers neither is told nothing and
 * its first bytes decide ({@link FirstBytes}).
 */
final class OnePortTls {

  private static final System.Logger LOG = System.getLogger(OnePortTls.class.getName());

  private final long handshakeTimeoutMillis;
  private volatile SslContext current;

  OnePortTls(PemFileWatcher certificate, long handshakeTimeoutMillis) {
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    try {
      this.current = build(certificate.current());
    } catch (SSLException e) {
      throw new UncheckedIOException("one-port: the http.tls pair cannot be served", e);
    }
    certificate.subscribe(this::renewed);
  }

  private static SslContext build(PemMaterial material) throws SSLException {
    return NettyServerTls.context(material, FirstBytes.ALPN_TURN, ApplicationProtocolNames.HTTP_1_1);
  }

  private void renewed(PemMaterial material) {
    try {
      current = build(material);
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "one-port: the renewed http.tls pair cannot be served, keeping the "
        + "previous one: {0}", e.getMessage());
    }
  }

  /** The handler of one new connection, with the context in service now and the handshake bounded. */
  SslHandler newHandler(ByteBufAllocator alloc) {
    SslHandler handler = current.newHandler(alloc);
    handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    return handler;
  }
}
