package io.switchboard.cluster;

import com.hazelcast.cluster.Member;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;

import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Trusts a member once a TLS handshake with its event-bus port succeeds: it must present a certificate the
 * cluster CA issued (checked here) and accept this member's (checked there). The port is the one the member
 * published in Vert.x's node directory, which can lag its join by a moment, so the probe waits for it.
 */
public final class TlsMemberProbe implements MemberProbe {

  /** Member attribute holding the Vert.x node id, set by the Vert.x Hazelcast cluster manager. */
  private static final String VERTX_NODE_ATTRIBUTE = "__vertx.nodeId";
  private static final long DIRECTORY_WAIT_MS = 30_000;
  private static final long DIRECTORY_RETRY_MS = 200;
  private static final int TIMEOUT_MS = 3_000;

  private final Vertx vertx;
  private final ClusterManager clusterManager;
  private final NetClient client;

  public TlsMemberProbe(Vertx vertx, ClusterManager clusterManager, SwitchboardConfig.ClusterTls tls) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
    this.client = vertx.createNetClient(EventBusTls.clientOptions(tls, TIMEOUT_MS));
  }

  @Override
  public Future<Void> authenticate(Member member) {
    String vertxNode = member.getAttribute(VERTX_NODE_ATTRIBUTE);
    if (vertxNode == null) {
      return Future.failedFuture("it is not a Vert.x node (no event bus)");
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DIRECTORY_WAIT_MS);
    return eventBusAddress(vertxNode, deadline).compose(this::handshake);
  }

  private Future<NodeInfo> eventBusAddress(String vertxNode, long deadline) {
    Promise<NodeInfo> found = Promise.promise();
    clusterManager.getNodeInfo(vertxNode, found);
    return found.future().recover(missing -> {
      if (System.nanoTime() > deadline) {
        return Future.failedFuture("its event bus did not appear in the node directory within "
          + DIRECTORY_WAIT_MS / 1000 + " s");
      }
      Promise<NodeInfo> retry = Promise.promise();
      vertx.setTimer(DIRECTORY_RETRY_MS, id -> eventBusAddress(vertxNode, deadline).onComplete(retry));
      return retry.future();
    });
  }

  private Future<Void> handshake(NodeInfo address) {
    String where = "event bus at " + address.host() + ":" + address.port();
    return client.connect(address.port(), address.host())
      .compose(socket -> socket.close())
      .recover(failure -> Future.failedFuture(where + ": " + rootMessage(failure)));
  }

  /**
   * The innermost message (for a refused certificate, the PKIX or alert text that says why), and whether TLS
   * failed.
   */
  static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    boolean tls = failure instanceof SSLException;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
      tls |= cause instanceof SSLException;
    }
    String message = cause.getMessage();
    return (tls ? "TLS handshake failed: " : "") + cause.getClass().getSimpleName()
      + (message == null ? "" : ": " + message);
  }

  public Future<Void> close() {
    return client.close();
  }
}
