package io.switchboard.testing;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for the event bus's mutual TLS, made by {@code cluster/make-certs.sh} as an operator would make
 * them: one cluster CA for the whole test JVM, and a member certificate per name. For tests of refusal it also
 * makes a certificate that has expired (with {@code openssl ca}, which can set dates in the past) and a second,
 * unrelated CA.
 */
public final class TestCertificates {

  private static final Path SCRIPT = Path.of(System.getProperty("basedir", ".")).resolve("cluster/make-certs.sh");
  private static TestCertificates cluster;

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** The CA every test cluster of this JVM trusts. */
  public static synchronized TestCertificates cluster() {
    if (cluster == null) {
      cluster = newAuthority("cluster");
    }
    return cluster;
  }

  /** A CA of its own, unrelated to {@link #cluster()}. */
  public static TestCertificates newAuthority(String label) {
    try {
      Path dir = Files.createTempDirectory("switchboard-certs-" + label + "-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
      return new TestCertificates(dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A member certificate issued by this CA (made on first use), for 127.0.0.1. */
  public synchronized Member member(String name) {
    return member(name, List.of("127.0.0.1"));
  }

  /**
   * A member certificate issued by this CA (made on first use) naming {@code ips} as subject alternative names
   * (make-certs.sh's CERT_IPS): members on other hosts check each other's address against them.
   */
  public synchronized Member member(String name, List<String> ips) {
    if (!Files.exists(dir.resolve(name + ".pem"))) {
      run(List.of(SCRIPT.toString(), dir.toString(), name), Map.of("CERT_IPS", String.join(",", ips)));
    }
    return new Member(dir.resolve(name + ".pem"), dir.resolve(name + ".key"), dir.resolve("ca.pem"));
  }

  /** A member certificate valid for {@code days} days from now (made on first use; at least 2, see the script). */
  public synchronized Member member(String name, int days) {
    member("ca-anchor"); // makes the CA with its default validity, longer than the member's
    if (!Files.exists(dir.resolve(name + ".pem"))) {
      run(List.of(SCRIPT.toString(), dir.toString(), name), Map.of("DAYS", Integer.toString(days)));
    }
    return new Member(dir.resolve(name + ".pem"), dir.resolve(name + ".key"), dir.resolve("ca.pem"));
  }

  /** A member certificate this CA issued for one day in 2020: expired long ago, signature intact. */
  public synchronized Member expired(String name) {
    member("ca-anchor"); // makes the CA
    Path work = dir.resolve("expired-" + name);
    try {
      Files.createDirectories(work);
      Files.writeString(work.resolve("index.txt"), "");
      Files.writeString(work.resolve("serial"), "1000\n");
      Files.writeString(work.resolve("ca.cnf"), String.join("\n",
        "[ca]", "default_ca = test", "[test]", "dir = " + work, "database = $dir/index.txt",
        "serial = $dir/serial", "new_certs_dir = " + work, "default_md = sha256", "policy = any",
        "copy_extensions = none", "x509_extensions = member", "[any]", "commonName = supplied",
        "[member]", "basicConstraints = critical,CA:false", "keyUsage = critical,digitalSignature",
        "extendedKeyUsage = serverAuth,clientAuth", ""));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Path key = dir.resolve(name + ".key");
    Path csr = work.resolve(name + ".csr");
    Path cert = dir.resolve(name + ".pem");
    run(List.of("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
      key.toString()), Map.of());
    run(List.of("openssl", "req", "-new", "-key", key.toString(), "-subj", "/CN=" + name, "-out", csr.toString()),
      Map.of());
    run(List.of("openssl", "ca", "-batch", "-config", work.resolve("ca.cnf").toString(), "-cert",
      dir.resolve("ca.pem").toString(), "-keyfile", dir.resolve("ca.key").toString(), "-startdate",
      "20200101000000Z", "-enddate", "20200102000000Z", "-notext", "-in", csr.toString(), "-out", cert.toString()),
      Map.of());
    return new Member(cert, key, dir.resolve("ca.pem"));
  }

  /** The three files of {@code cluster.tls}. */
  public record Member(Path cert, Path key, Path ca) {

    /** As the {@code cluster.tls} section of a configuration. */
    public JsonObject tlsJson() {
      return new JsonObject().put("cert", cert.toString()).put("key", key.toString()).put("ca", ca.toString());
    }

    /** As the environment of a node process. */
    public Map<String, String> env() {
      Map<String, String> env = new HashMap<>();
      env.put("SWITCHBOARD_CLUSTER_TLS_CERT", cert.toString());
      env.put("SWITCHBOARD_CLUSTER_TLS_KEY", key.toString());
      env.put("SWITCHBOARD_CLUSTER_TLS_CA", ca.toString());
      return env;
    }

    /** This member's certificate and key, trusting another CA's certificate instead of its own issuer. */
    public Member trusting(Path otherCa) {
      return new Member(cert, key, otherCa);
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; nothing else to do at exit
    }
  }

  private static void run(List<String> command, Map<String, String> env) {
    try {
      Path output = Files.createTempFile("openssl", ".out");
      ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
        .redirectOutput(output.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(command + " failed: " + Files.readString(output));
      }
      Files.deleteIfExists(output);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command.get(0) + " (is openssl installed?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
