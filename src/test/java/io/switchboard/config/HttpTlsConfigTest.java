package io.switchboard.config;

import io.switchboard.testing.TestCertificates;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code http.tls}: both files or neither, and a pair that is set must be one a server can serve today. */
@DisplayName("http.tls in the configuration: refused with one clear line when it cannot be served")
class HttpTlsConfigTest {

  private static final String SECRET = "q8Vx2LmT7nR4bK9wZp3YjH6dF1sGa5Ue0cNiOo7tXr2Wv4Qk";
  private static final TestCertificates WEB = TestCertificates.newAuthority("web-config");

  private static JsonObject withTls(JsonObject tls) {
    JsonObject json = ConfigLoader.builtInDefault();
    json.getJsonObject("auth").put("hs256Secrets", new JsonArray().add(SECRET));
    json.getJsonObject("http").getJsonObject("tls").mergeIn(tls);
    return json;
  }

  private static JsonObject files(Path cert, Path key) {
    return new JsonObject().put("cert", cert == null ? "" : cert.toString())
      .put("key", key == null ? "" : key.toString());
  }

  /** The message of the refusal, which must fit on one line (Main prints it as "switchboard: ..."). */
  private static String refusal(JsonObject tls) {
    String message = assertThrows(ConfigException.class, () -> SwitchboardConfig.from(withTls(tls))).getMessage();
    assertFalse(message.contains("\n"), "one line: " + message);
    return message;
  }

  @Test
  @DisplayName("off by default: plain HTTP, renewals checked every 10 s once it is set")
  void offByDefault() {
    SwitchboardConfig.HttpTls tls = SwitchboardConfig.from(withTls(new JsonObject())).http().tls();
    assertFalse(tls.enabled());
    assertEquals(10, tls.reloadSeconds());
  }

  @Test
  @DisplayName("a valid pair from the environment is taken, with its reload interval")
  void validPairFromEnvironment() {
    TestCertificates.Member pair = WEB.member("localhost");
    JsonObject json = ConfigLoader.load(null, Map.of("SWITCHBOARD_HTTP_TLS_CERT", pair.cert().toString(),
      "SWITCHBOARD_HTTP_TLS_KEY", pair.key().toString(), "SWITCHBOARD_HTTP_TLS_RELOAD_SECONDS", "0",
      "SWITCHBOARD_AUTH_HS256_SECRETS", SECRET));
    SwitchboardConfig.HttpTls tls = SwitchboardConfig.from(json).http().tls();
    assertTrue(tls.enabled());
    assertEquals(pair.cert().toString(), tls.cert());
    assertEquals(0, tls.reloadSeconds());
  }

  @Test
  @DisplayName("a certificate without its key, or a key without its certificate")
  void halfConfigured() {
    TestCertificates.Member pair = WEB.member("localhost");
    assertEquals("http.tls.cert is set but http.tls.key is not: set both (the PEM certificate chain and its "
      + "unencrypted PKCS#8 key) or neither", refusal(files(pair.cert(), null)));
    assertTrue(refusal(files(null, pair.key())).startsWith("http.tls.key is set but http.tls.cert is not"));
  }

  @Test
  @DisplayName("the key of another certificate")
  void keyOfAnotherCertificate() {
    TestCertificates.Member pair = WEB.member("localhost");
    TestCertificates.Member other = WEB.member("other");
    String message = refusal(files(pair.cert(), other.key()));
    assertTrue(message.contains("http.tls.key " + other.key() + " is not the private key of http.tls.cert "
      + pair.cert()), message);
  }

  @Test
  @DisplayName("an expired certificate")
  void expired() {
    TestCertificates.Member old = WEB.expired("expired-web");
    String message = refusal(files(old.cert(), old.key()));
    assertTrue(message.startsWith("http.tls.cert " + old.cert()) && message.contains("expired on 2020-01-02"),
      message);
  }

  @Test
  @DisplayName("a missing file, a key that is not PKCS#8, a path no file can have, a negative reload interval")
  void unusableFiles(@TempDir Path dir) throws IOException {
    TestCertificates.Member pair = WEB.member("localhost");
    assertTrue(refusal(files(pair.cert(), dir.resolve("missing.key"))).contains("http.tls.key: cannot read"));
    Path traditional = Files.writeString(dir.resolve("ec.key"),
      "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n");
    assertTrue(refusal(files(pair.cert(), traditional)).contains("openssl pkcs8 -topk8 -nocrypt"));
    assertTrue(refusal(new JsonObject().put("cert", "a\u0000b").put("key", pair.key().toString()))
      .contains("is not a file path"));
    assertTrue(refusal(files(pair.cert(), pair.key()).put("reloadSeconds", -1))
      .contains("http.tls.reloadSeconds must be between 0 and 86400"));
  }
}
