package io.switchboard.cluster;

import io.switchboard.config.ConfigException;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.tls.PemMaterial;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * This member's event-bus certificate, checked before the node joins anything: a member whose certificate other
 * members would refuse learns why at start, in one line, instead of failing handshakes later. Refused: a
 * certificate that has expired or is not yet valid, one not issued by the cluster CA, one whose key does not
 * match, and one whose extended key usage forbids serving or connecting (a member does both).
 */
public final class MemberCertificate {

  /** A certificate closer than this to its end is announced at start. */
  public static final Duration RENEWAL_WARNING = Duration.ofDays(14);
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private final X509Certificate leaf;

  private MemberCertificate(X509Certificate leaf) {
    this.leaf = leaf;
  }

  /** @throws ConfigException naming the file and what is wrong with it */
  public static MemberCertificate check(SwitchboardConfig.ClusterTls tls, Clock clock) {
    List<X509Certificate> chain = certificates(tls.cert(), "cluster.tls.cert");
    List<X509Certificate> authorities = certificates(tls.ca(), "cluster.tls.ca");
    X509Certificate leaf = chain.get(0);
    String name = "cluster.tls.cert " + tls.cert() + " (" + leaf.getSubjectX500Principal().getName() + ")";
    Date now = Date.from(clock.instant());
    try {
      leaf.checkValidity(now);
    } catch (CertificateExpiredException e) {
      throw new ConfigException(name + " expired on " + leaf.getNotAfter().toInstant()
        + ": other members refuse it; issue a new one from the cluster CA");
    } catch (CertificateNotYetValidException e) {
      throw new ConfigException(name + " is not valid before " + leaf.getNotBefore().toInstant()
        + " (is this machine's clock right?)");
    }
    checkIssuedBy(chain, authorities, now, name, tls.ca());
    checkUsage(leaf, name);
    PrivateKey key = PemMaterial.privateKey("cluster.tls.key " + tls.key(),
      PemMaterial.readAll("cluster.tls.key", tls.key()), leaf);
    PemMaterial.checkKeyMatches(leaf, key, name, "cluster.tls.key " + tls.key());
    return new MemberCertificate(leaf);
  }

  public Instant notAfter() {
    return leaf.getNotAfter().toInstant();
  }

  public String subject() {
    return leaf.getSubjectX500Principal().getName();
  }

  private static void checkIssuedBy(List<X509Certificate> chain, List<X509Certificate> authorities, Date now,
                                    String name, String caFile) {
    Set<TrustAnchor> anchors = new HashSet<>();
    authorities.forEach(ca -> anchors.add(new TrustAnchor(ca, null)));
    List<Certificate> path = new ArrayList<>(chain);
    path.removeIf(authorities::contains);
    try {
      PKIXParameters parameters = new PKIXParameters(anchors);
      parameters.setRevocationEnabled(false);
      parameters.setDate(now);
      CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
    } catch (CertPathValidatorException e) {
      throw new ConfigException(name + " is not issued by the cluster CA in cluster.tls.ca " + caFile + " (issuer "
        + chain.get(0).getIssuerX500Principal().getName() + "): " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new ConfigException(name + " cannot be checked against cluster.tls.ca " + caFile + ": " + e.getMessage());
    }
  }

  private static void checkUsage(X509Certificate leaf, String name) {
    try {
      List<String> usages = leaf.getExtendedKeyUsage();
      if (usages != null && !(usages.contains(SERVER_AUTH) && usages.contains(CLIENT_AUTH))) {
        throw new ConfigException(name + " must allow both serverAuth and clientAuth (extended key usage): "
          + "a member accepts connections from members and opens connections to them");
      }
    } catch (java.security.cert.CertificateParsingException e) {
      throw new ConfigException(name + " has an unreadable extended key usage: " + e.getMessage());
    }
  }

  private static List<X509Certificate> certificates(String file, String key) {
    return PemMaterial.certificates(key + " " + file, PemMaterial.readAll(key, file));
  }
}
