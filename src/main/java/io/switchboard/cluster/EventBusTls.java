package io.switchboard.cluster;

import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Mutual TLS between members: every event-bus connection presents this member's certificate and accepts only
 * peers whose certificate the cluster CA issued, in both directions. The CA is the cluster's own, so holding a
 * certificate it issued is what makes a process a member; host names are not checked (members are addressed by
 * IP, often assigned at start, as in Kubernetes).
 */
public final class EventBusTls {

  /** Members all run this version of Switchboard on Java 17+: nothing older needs to be spoken. */
  static final Set<String> PROTOCOLS = Set.of("TLSv1.3");

  private EventBusTls() {
  }

  public static void apply(EventBusOptions options, SwitchboardConfig.ClusterTls tls) {
    options.setSsl(true)
      .setClientAuth(ClientAuth.REQUIRED)
      .setKeyCertOptions(keyCert(tls))
      .setTrustOptions(trust(tls))
      .setEnabledSecureTransportProtocols(PROTOCOLS);
  }

  /**
   * The client side alone, as the event bus uses it: for checking a member before trusting it. A peer that does
   * not answer the handshake (no TLS at all) fails after {@code timeoutMillis}, like one that does not connect.
   */
  static NetClientOptions clientOptions(SwitchboardConfig.ClusterTls tls, int timeoutMillis) {
    NetClientOptions options = new NetClientOptions()
      .setSsl(true)
      .setKeyCertOptions(keyCert(tls))
      .setTrustOptions(trust(tls))
      .setHostnameVerificationAlgorithm("")
      .setConnectTimeout(timeoutMillis)
      .setSslHandshakeTimeout(timeoutMillis)
      .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    options.setEnabledSecureTransportProtocols(PROTOCOLS);
    return options;
  }

  private static PemKeyCertOptions keyCert(SwitchboardConfig.ClusterTls tls) {
    return new PemKeyCertOptions().setCertPath(tls.cert()).setKeyPath(tls.key());
  }

  private static PemTrustOptions trust(SwitchboardConfig.ClusterTls tls) {
    return new PemTrustOptions().addCertPath(tls.ca());
  }
}
