package io.switchboard.cluster;

import io.switchboard.config.ConfigException;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.testing.TestCertificates;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("MemberCertificate: a member's event-bus certificate is checked before it joins")
class MemberCertificateTest {

  private static SwitchboardConfig.ClusterTls tls(TestCertificates.Member member) {
    return new SwitchboardConfig.ClusterTls(member.cert().toString(), member.key().toString(),
      member.ca().toString());
  }

  private static String refusal(SwitchboardConfig.ClusterTls tls, Clock clock) {
    return assertThrows(ConfigException.class, () -> MemberCertificate.check(tls, clock)).getMessage();
  }

  private static void assertMentions(String message, String... words) {
    for (String word : words) {
      assertTrue(message.contains(word), "expected '" + word + "' in: " + message);
    }
  }

  @Test
  @DisplayName("a certificate of the cluster CA, with its key, passes; its end date is known")
  void valid() {
    MemberCertificate certificate = MemberCertificate.check(tls(TestCertificates.cluster().member("member-1")),
      Clock.systemUTC());
    assertTrue(certificate.notAfter().isAfter(Instant.now().plus(Duration.ofDays(20))));
    assertTrue(certificate.subject().contains("CN=member-1"), certificate.subject());
  }

  @Test
  @DisplayName("an expired certificate is refused with its end date")
  void expired() {
    String message = refusal(tls(TestCertificates.cluster().expired("expired-member")), Clock.systemUTC());
    assertMentions(message, "cluster.tls.cert", "expired on 2020-01-02");
  }

  @Test
  @DisplayName("a certificate that is not valid yet is refused (a clock that is behind)")
  void notYetValid() {
    Clock past = Clock.fixed(Instant.parse("2001-01-01T00:00:00Z"), ZoneOffset.UTC);
    assertMentions(refusal(tls(TestCertificates.cluster().member("member-1")), past), "is not valid before");
  }

  @Test
  @DisplayName("a certificate from another CA is refused, naming the CA file it was checked against")
  void otherAuthority() {
    TestCertificates.Member foreign = TestCertificates.newAuthority("other").member("intruder");
    SwitchboardConfig.ClusterTls tls = tls(foreign.trusting(TestCertificates.cluster().member("member-1").ca()));
    assertMentions(refusal(tls, Clock.systemUTC()), "is not issued by the cluster CA", tls.ca());
  }

  @Test
  @DisplayName("another member's key is refused: it is not the private key of this certificate")
  void wrongKey() {
    TestCertificates.Member one = TestCertificates.cluster().member("member-1");
    TestCertificates.Member two = TestCertificates.cluster().member("member-2");
    SwitchboardConfig.ClusterTls tls = new SwitchboardConfig.ClusterTls(one.cert().toString(),
      two.key().toString(), one.ca().toString());
    assertMentions(refusal(tls, Clock.systemUTC()), "cluster.tls.key", "is not the private key");
  }

  @Test
  @DisplayName("files that are not PEM, or a key that is not PKCS#8, are refused with what to do")
  void unreadable(@TempDir Path dir) throws IOException {
    TestCertificates.Member member = TestCertificates.cluster().member("member-1");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
    assertMentions(refusal(new SwitchboardConfig.ClusterTls(garbage.toString(), member.key().toString(),
      member.ca().toString()), Clock.systemUTC()), "cluster.tls.cert", "PEM");
    Path sec1 = Files.writeString(dir.resolve("sec1.key"),
      "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    assertMentions(refusal(new SwitchboardConfig.ClusterTls(member.cert().toString(), sec1.toString(),
      member.ca().toString()), Clock.systemUTC()), "PKCS#8", "openssl pkcs8 -topk8");
  }
}
