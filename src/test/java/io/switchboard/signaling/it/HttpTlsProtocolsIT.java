package io.switchboard.signaling.it;

import io.switchboard.testing.TestCertificates;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestPorts;
import io.switchboard.testing.TlsProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which TLS versions the HTTP port speaks, asked by a client that really offers the old ones.
 *
 * <p>The JDK disables TLS 1.0 and 1.1 in {@code jdk.tls.disabledAlgorithms}: its own client will not offer them, and
 * a server in a JVM with that default would refuse them whatever the node configured. So the node runs in a JVM of
 * its own whose security properties allow them again, and {@code openssl s_client} (at security level 0, which
 * permits TLS 1.0/1.1) makes the handshakes. What refuses 1.0 and 1.1 then is the node's protocol list alone: the
 * one it sets ({@code EdgeTls.PROTOCOLS}), which is also Vert.x 5's default, so this test guards the behaviour
 * rather than that one line.
 */
@DisplayName("The HTTP port speaks TLS 1.2 and 1.3 only, even in a JVM that would allow 1.0 and 1.1")
class HttpTlsProtocolsIT {

  private static final TestCertificates WEB = TestCertificates.newAuthority("web-protocols");
  private static Process node;
  private static Path log;
  private static int port;

  @BeforeAll
  static void startNode() throws Exception {
    TestCertificates.Member pair = WEB.member("localhost");
    String jar = System.getProperty("switchboard.jar", "target/switchboard.jar");
    assertTrue(new File(jar).isFile(), jar + " is missing: this test runs after 'mvn package' (mvn verify)");
    Path security = Files.createTempFile("switchboard-security-", ".properties");
    // the JDK's default list without TLSv1 and TLSv1.1
    Files.writeString(security, "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, "
      + "EC keySize < 224, 3DES_EDE_CBC, anon, NULL\n");
    port = TestPorts.freePort();
    log = Files.createTempFile("switchboard-tls-protocols-", ".log");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-Djava.security.properties=" + security, "-jar", jar)
      .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(Map.of(
      "SWITCHBOARD_HTTP_PORT", Integer.toString(port),
      "SWITCHBOARD_AUTH_HS256_SECRETS", TestNode.JWT_KEY,
      "SWITCHBOARD_RELAY_ENABLED", "false",
      "SWITCHBOARD_ROOMS_GRACE_PERIOD_SECONDS", "0",
      "SWITCHBOARD_HTTP_TLS_CERT", pair.cert().toString(),
      "SWITCHBOARD_HTTP_TLS_KEY", pair.key().toString()));
    node = builder.start();
    awaitListening(pair.ca());
  }

  @AfterAll
  static void stopNode() throws InterruptedException {
    if (node != null) {
      node.destroy();
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  @ParameterizedTest(name = "{0} is accepted")
  @ValueSource(strings = {"-tls1_2", "-tls1_3"})
  @DisplayName("TLS 1.2 and 1.3 are accepted")
  void modernAccepted(String version) throws Exception {
    String output = sClient(version);
    String expected = version.equals("-tls1_2") ? "TLSv1.2" : "TLSv1.3";
    // "New, <version>, Cipher is ...": printed once the handshake is done (the SSL-Session block after it is not
    // printed when input ends before a TLS 1.3 session ticket has come)
    assertTrue(output.contains("New, " + expected + ", Cipher is ") && output.contains("Verify return code: 0 (ok)"),
      "openssl s_client " + version + ":\n" + output);
  }

  @ParameterizedTest(name = "{0} is refused")
  @ValueSource(strings = {"-tls1", "-tls1_1"})
  @DisplayName("TLS 1.0 and 1.1 are refused with a protocol_version alert")
  void oldRefused(String version) throws Exception {
    String output = sClient(version);
    // the ClientHello really went out with the old version (this openssl can offer it), and the server said no
    assertTrue(output.contains("alert protocol version"), "openssl s_client " + version + ":\n" + output);
    assertTrue(!output.contains("BEGIN CERTIFICATE") && output.contains("Cipher is (NONE)"),
      "no handshake may complete:\n" + output);
  }

  /** One handshake by openssl's client, trusting the test CA; its whole output. */
  private static String sClient(String version) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
      version, "-CAfile", WEB.member("localhost").ca().toString(), "-servername", "localhost", "-showcerts"));
    if (version.equals("-tls1") || version.equals("-tls1_1")) {
      command.addAll(List.of("-cipher", "ALL:@SECLEVEL=0"));
    }
    Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
    client.getOutputStream().close(); // s_client ends once its input does
    String output = new String(client.getInputStream().readAllBytes());
    assertTrue(client.waitFor(20, TimeUnit.SECONDS), "openssl s_client did not finish");
    return output;
  }

  private static void awaitListening(Path ca) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      if (!node.isAlive()) {
        throw new IllegalStateException("the node exited with " + node.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        assertEquals("TLSv1.3", TlsProbe.handshake(port, ca).protocol());
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the node did not listen within 60 s:\n" + Files.readString(log), notYet);
        }
        Thread.sleep(200);
      }
    }
  }
}
