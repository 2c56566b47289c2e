package io.switchboard.tls;

import io.switchboard.config.ConfigException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/**
 * A server's PEM certificate chain and unencrypted PKCS#8 key, read once and checked together: both parse, the key
 * is the leaf's, and the leaf is valid now. The bytes are kept as read, so every listener that serves them (Vert.x
 * through {@link #keyCertOptions()}, Netty through {@link #chain()} and {@link #privateKey()}) serves the same pair
 * even while the files are being replaced.
 *
 * @param certFile and {@code keyFile}: where they were read from, for messages
 */
public record PemMaterial(String certFile, String keyFile, byte[] certPem, byte[] keyPem,
                          List<X509Certificate> chain, PrivateKey privateKey) {

  private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
  private static final String END_KEY = "-----END PRIVATE KEY-----";
  /** A certificate closer than this to its end is announced when it is loaded. */
  public static final Duration RENEWAL_WARNING = Duration.ofDays(14);

  /**
   * Reads and checks the pair.
   *
   * @param name the configuration key of the pair, for messages ({@code http.tls}, {@code cluster.tls})
   * @throws ConfigException naming the file and what is wrong with it
   */
  public static PemMaterial read(String name, String certFile, String keyFile, Instant now) {
    return parse(name, certFile, keyFile, readAll(name + ".cert", certFile), readAll(name + ".key", keyFile), now);
  }

  /** As {@link #read}, from bytes already read (a file watcher compares them before parsing). */
  public static PemMaterial parse(String name, String certFile, String keyFile, byte[] certPem, byte[] keyPem,
                                  Instant now) {
    List<X509Certificate> chain = certificates(name + ".cert " + certFile, certPem);
    X509Certificate leaf = chain.get(0);
    String described = name + ".cert " + certFile + " (" + leaf.getSubjectX500Principal().getName() + ")";
    try {
      leaf.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new ConfigException(described + " expired on " + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new ConfigException(described + " is not valid before " + leaf.getNotBefore().toInstant()
        + " (is this machine's clock right?)");
    }
    PrivateKey key = privateKey(name + ".key " + keyFile, keyPem, leaf);
    checkKeyMatches(leaf, key, described, name + ".key " + keyFile);
    return new PemMaterial(certFile, keyFile, certPem.clone(), keyPem.clone(), List.copyOf(chain), key);
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /** Whether the leaf ends within {@link #RENEWAL_WARNING} of {@code now}: time to renew it. */
  public boolean expiresSoon(Instant now) {
    return notAfter().isBefore(now.plus(RENEWAL_WARNING));
  }

  /** For Vert.x servers and clients: the same bytes, not the paths (which may hold newer files by now). */
  public PemKeyCertOptions keyCertOptions() {
    return new PemKeyCertOptions().setCertValue(Buffer.buffer(certPem)).setKeyValue(Buffer.buffer(keyPem));
  }

  /** SHA-256 of the leaf in DER, in hex: what logs and tests name a certificate by. */
  public String fingerprint() {
    return fingerprint(leaf());
  }

  public static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** A short description for logs: subject, expiry and fingerprint prefix; never key material. */
  public String describe() {
    return leaf().getSubjectX500Principal().getName() + ", valid until " + leaf().getNotAfter().toInstant()
      + ", sha256 " + fingerprint().substring(0, 16);
  }

  /**
   * The files and the certificate, for logs and assertion messages; nothing of the key, whatever a security
   * provider's key {@code toString} prints (the record's own would include it, and the PEM bytes' array ids).
   */
  @Override
  public String toString() {
    return "PemMaterial[" + certFile + ", " + keyFile + ": " + describe() + "]";
  }

  public static byte[] readAll(String name, String file) {
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (IOException e) {
      throw new ConfigException(name + ": cannot read " + file + ": " + e.getMessage());
    } catch (InvalidPathException e) {
      // a value no file can have (a NUL character): refused like any other bad setting
      throw new ConfigException(name + " is not a file path: " + e.getReason());
    }
  }

  /** Every certificate of a PEM file, leaf first. */
  public static List<X509Certificate> certificates(String described, byte[] pem) {
    try {
      List<X509Certificate> certificates = new ArrayList<>();
      for (Certificate certificate : CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem))) {
        certificates.add((X509Certificate) certificate);
      }
      if (certificates.isEmpty()) {
        throw new ConfigException(described + " holds no PEM certificate");
      }
      return certificates;
    } catch (GeneralSecurityException e) {
      throw new ConfigException(described + " is not a PEM certificate file: " + e.getMessage());
    }
  }

  /** A PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}), RSA or EC, unencrypted, of the leaf's algorithm. */
  public static PrivateKey privateKey(String described, byte[] pemBytes, X509Certificate leaf) {
    String pem = new String(pemBytes, StandardCharsets.US_ASCII);
    int begin = pem.indexOf(BEGIN_KEY);
    int end = pem.indexOf(END_KEY);
    if (begin < 0 || end < begin) {
      throw new ConfigException(described + " must be an unencrypted PKCS#8 PEM key (" + BEGIN_KEY
        + "); convert one with: openssl pkcs8 -topk8 -nocrypt -in old.key -out new.key");
    }
    String body = pem.substring(begin + BEGIN_KEY.length(), end).replaceAll("\\s", "");
    try {
      byte[] der = Base64.getDecoder().decode(body);
      return KeyFactory.getInstance(leaf.getPublicKey().getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new ConfigException(described + " is not a private key for the certificate's "
        + leaf.getPublicKey().getAlgorithm() + " key: " + e.getMessage());
    }
  }

  /** Signs a random challenge with the key and verifies it with the leaf's public key. */
  public static void checkKeyMatches(X509Certificate leaf, PrivateKey key, String described, String keyDescribed) {
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(challenge);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // a key of another type than the certificate's: the same answer as a signature that does not verify
    }
    throw new ConfigException(keyDescribed + " is not the private key of " + described);
  }
}
