package io.switchboard.webhook;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.List;

/** One signed POST of one event to one receiver, and what its answer means for the event. */
final class WebhookSender {

  /** Connections per receiver: deliveries of different rooms run side by side, this many at once. */
  static final int CONNECTIONS_PER_RECEIVER = 16;
  /** Requests waiting for a connection, at most; beyond it a request fails at once and is retried later. */
  private static final int MAX_WAITING_REQUESTS = 1024;

  /** What happened to one attempt. */
  enum Outcome {
    /** 2xx: the receiver has the event. */
    DELIVERED,
    /** No answer, a timeout, 408, 429 or 5xx: worth trying again. */
    RETRY,
    /** Any other status (4xx, or a redirect, which is not followed): trying again would get the same answer. */
    PERMANENT
  }

  private final WebClient client;
  private final List<String> secrets;
  private final long timeoutMillis;

  WebhookSender(Vertx vertx, List<String> secrets, long timeoutMillis) {
    WebClientOptions options = new WebClientOptions().setFollowRedirects(false).setUserAgent("Switchboard-Webhooks")
      .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis));
    this.client = WebClient.create(vertx, options,
      new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_RECEIVER).setMaxWaitQueueSize(MAX_WAITING_REQUESTS));
    this.secrets = List.copyOf(secrets);
    this.timeoutMillis = timeoutMillis;
  }

  /** Signs {@code body} now (a retry gets a fresh timestamp) and posts it. Never fails: the outcome says it. */
  Future<Outcome> post(String url, Buffer body, long nowMillis) {
    String signature = WebhookSignature.header(secrets, nowMillis / 1000, body.getBytes());
    return client.postAbs(url)
      .timeout(timeoutMillis)
      .putHeader("Content-Type", "application/json")
      .putHeader(WebhookSignature.HEADER, signature)
      .sendBuffer(body)
      .map(response -> outcome(response.statusCode()))
      .otherwise(Outcome.RETRY);
  }

  static Outcome outcome(int status) {
    if (status >= 200 && status < 300) {
      return Outcome.DELIVERED;
    }
    if (status == 408 || status == 429 || status >= 500) {
      return Outcome.RETRY;
    }
    return Outcome.PERMANENT;
  }

  void close() {
    client.close();
  }
}
