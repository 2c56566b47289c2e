package io.switchboard.config;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/** Parses and checks {@code webhooks.*} into {@link SwitchboardConfig.Webhooks}. */
final class WebhooksConfig {

  /** Two secrets: the current one and the one being rotated in or out. */
  static final int MAX_SECRETS = 2;

  private WebhooksConfig() {
  }

  static SwitchboardConfig.Webhooks parse(JsonObject webhooks) {
    List<String> urls = SwitchboardConfig.strings(webhooks, "urls", "webhooks.urls");
    urls.forEach(WebhooksConfig::checkUrl);
    List<String> secrets = SwitchboardConfig.strings(webhooks, "secrets", "webhooks.secrets");
    secrets.forEach(s -> SwitchboardConfig.checkSecret(s, "webhooks.secrets"));
    if (secrets.size() > MAX_SECRETS) {
      throw new ConfigException("webhooks.secrets holds " + secrets.size() + " secrets; at most " + MAX_SECRETS
        + " (the current one and the one being rotated)");
    }
    if (!urls.isEmpty() && secrets.isEmpty()) {
      throw new ConfigException("webhooks.urls is set but webhooks.secrets is empty: set SWITCHBOARD_WEBHOOKS_SECRETS "
        + "to the secret the receivers verify signatures with");
    }
    int minBackoff = SwitchboardConfig.range(webhooks, "minBackoffMillis", "webhooks.minBackoffMillis", 10, 600_000);
    int maxBackoff = SwitchboardConfig.range(webhooks, "maxBackoffMillis", "webhooks.maxBackoffMillis", 10,
      3_600_000);
    if (maxBackoff < minBackoff) {
      throw new ConfigException("webhooks.maxBackoffMillis (" + maxBackoff + ") must be at least "
        + "webhooks.minBackoffMillis (" + minBackoff + ")");
    }
    return new SwitchboardConfig.Webhooks(urls, secrets,
      SwitchboardConfig.range(webhooks, "requestTimeoutMillis", "webhooks.requestTimeoutMillis", 100, 120_000),
      minBackoff, maxBackoff,
      SwitchboardConfig.range(webhooks, "maxAttempts", "webhooks.maxAttempts", 1, 1000),
      SwitchboardConfig.range(webhooks, "maxAgeSeconds", "webhooks.maxAgeSeconds", 1, 7 * 86400),
      SwitchboardConfig.range(webhooks, "queueSize", "webhooks.queueSize", 1, 1_000_000),
      SwitchboardConfig.range(webhooks, "reorderWindowMillis", "webhooks.reorderWindowMillis", 0, 60_000),
      SwitchboardConfig.range(webhooks, "drainSeconds", "webhooks.drainSeconds", 0, 300));
  }

  /** An absolute http or https URL with a host; anything else would fail on every event, so it fails now. */
  private static void checkUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new ConfigException("webhooks.urls: '" + url + "' is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new ConfigException("webhooks.urls: '" + url + "' must be an absolute http:// or https:// URL");
    }
    if (uri.getUserInfo() != null) {
      throw new ConfigException("webhooks.urls: credentials in a URL would be logged; the signature authenticates "
        + "Switchboard to the receiver");
    }
  }
}
