package io.switchboard.testing;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** Blocking HTTP calls to a test node, from the JUnit thread. */
public final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public record Response(int status, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private Http() {
  }

  public static Response get(int port, String path, String bearer) {
    return send(request(port, path, bearer).GET());
  }

  public static Response delete(int port, String path, String bearer) {
    return send(request(port, path, bearer).DELETE());
  }

  public static Response post(int port, String path, String bearer, String body) {
    return send(request(port, path, bearer).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** Any method, with {@code headers} (Origin, Content-Type...) and a body ({@code null}: none). */
  public static Response send(int port, String method, String path, java.util.Map<String, String> headers,
                              String body) {
    HttpRequest.Builder builder = request(port, path, null).method(method, body == null
      ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(builder::header);
    return send(builder);
  }

  /**
   * GET over https from a port that serves TLS ({@code http.tls}, one-port mode), trusting only the test CA in the
   * PEM file {@code ca}; the certificate must name 127.0.0.1.
   */
  public static Response getHttps(int port, String path, String bearer, Path ca) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .sslContext(TlsProbe.trusting(ca)).build();
    return send(client, request("https", port, path, bearer).GET());
  }

  private static HttpRequest.Builder request(int port, String path, String bearer) {
    return request("http", port, path, bearer);
  }

  private static HttpRequest.Builder request(String scheme, int port, String path, String bearer) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + path))
      .timeout(Duration.ofSeconds(10));
    if (bearer != null) {
      builder.header("Authorization", "Bearer " + bearer);
    }
    return builder;
  }

  private static Response send(HttpRequest.Builder builder) {
    return send(CLIENT, builder);
  }

  private static Response send(HttpClient client, HttpRequest.Builder builder) {
    try {
      HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new AssertionError("HTTP call failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
