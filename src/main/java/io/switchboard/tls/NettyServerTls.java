package io.switchboard.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;

/**
 * Netty server contexts for the listeners Switchboard runs on Netty directly (TURN over TLS, the one-port listener):
 * a {@link PemMaterial} pair, TLS 1.3 and 1.2 only, the JDK's provider, and the ALPN protocols given, in the order of
 * preference. A client offering none of them (or no ALPN at all) is served without ALPN.
 */
public final class NettyServerTls {

  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private NettyServerTls() {
  }

  public static SslContext context(PemMaterial material, String... alpn) throws SSLException {
    return SslContextBuilder.forServer(material.privateKey(), material.chain().toArray(new X509Certificate[0]))
      .sslProvider(SslProvider.JDK)
      .protocols(PROTOCOLS)
      .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
      .build();
  }
}
