package io.switchboard.config;

import io.switchboard.tls.PemMaterial;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The validated, typed configuration of one node. Built once at start-up from the merged JSON
 * (see {@link ConfigLoader}); anything unusable is refused here with a message that names the key.
 */
public record SwitchboardConfig(Node node, Http http, Auth auth, Limits limits, Rooms rooms, Ice ice, Relay relay,
                                Cluster cluster, OnePort onePort, Log log, Webhooks webhooks) {

  /** Node ids, configured or random: address-safe, since they are part of event-bus addresses. */
  public static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** Shortest shared secret accepted, in characters (HS256 wants at least 256 bits of key). */
  public static final int MIN_SECRET_LENGTH = 32;

  public record Node(String id) {
  }

  /**
   * @param edgeInstances HTTP/WebSocket verticle instances; 0 means one per event loop
   * @param headerTimeoutSeconds a new connection must deliver a complete request head within this
   * @param idleTimeoutSeconds a plain HTTP connection is closed after this long without a new request (never a
   *                           WebSocket: sessions have their own liveness)
   * @param maxConnectionsPerAddress concurrent connections from one client address; 0 means no cap
   * @param upgradesPerSecondPerAddress WebSocket upgrades per second from one client address; 0 means no limit
   * @param upgradeBurstPerAddress upgrades one client address may make at once
   * @param exemptAddresses addresses and CIDR blocks the per-address limits do not apply to (reverse proxies)
   * @param tls the HTTP port's own TLS; unset (plain HTTP) by default and behind a TLS-terminating proxy
   */
  public record Http(String host, int port, int edgeInstances, List<String> allowedOrigins, String webroot,
                     int headerTimeoutSeconds, int idleTimeoutSeconds, int maxConnectionsPerAddress,
                     int upgradesPerSecondPerAddress, int upgradeBurstPerAddress, List<String> exemptAddresses,
                     HttpTls tls) {
  }

  /**
   * PEM files the HTTP/WebSocket port serves TLS with ({@code https://}, {@code wss://}). Both set or neither;
   * when set they were read and checked together ({@link PemMaterial}) while the configuration was built.
   *
   * @param cert the certificate chain, leaf first
   * @param key its private key, unencrypted PKCS#8
   * @param reloadSeconds how often the files are checked for a renewed pair; 0 never
   */
  public record HttpTls(String cert, String key, int reloadSeconds) {

    public static HttpTls off() {
      return new HttpTls("", "", 0);
    }

    public boolean enabled() {
      return !cert.isEmpty();
    }
  }

  /**
   * @param generatedSecret true when no HS256 secret was configured and development mode made one up for this run
   */
  public record Auth(List<String> hs256Secrets, List<String> rs256PublicKeys, List<String> es256PublicKeys,
                     String issuer, String audience, int clockSkewSeconds, boolean devTokens,
                     boolean generatedSecret) {
  }

  /**
   * @param rateBytesPerSecond bytes a participant may have relayed per second (a broadcast counts once per
   *                           receiver); {@code rateBytesBurst} at once
   */
  public record Limits(int maxFrameBytes, int rateFramesPerSecond, int rateBurst, int rateBytesPerSecond,
                       int rateBytesBurst, int rateAbuseSeconds, int maxParticipantsPerRoom, int pingIntervalSeconds,
                       int maxQueuedBytes) {

    /** Frames above this are not even buffered: the connection is closed with 1009. */
    public int hardFrameBytes() {
      return maxFrameBytes * 16;
    }
  }

  /** What a second session of an identity already in the room does ({@code rooms.duplicateIdentity}). */
  public enum DuplicateIdentity {
    /** The newcomer takes the place of the session there (the default, docs/protocol.md). */
    REPLACE,
    /** The newcomer is refused while the session there is connected. */
    REJECT
  }

  /**
   * Presence rules and session resume.
   *
   * @param gracePeriodSeconds how long a session whose connection dropped (or whose node died or drained) waits
   *                           for its client to resume it; 0 switches resume off
   * @param resumeBufferFrames frames kept for a session in its grace period, at most
   * @param resumeBufferBytes bytes of frames kept for it, at most
   */
  public record Rooms(DuplicateIdentity duplicateIdentity, int gracePeriodSeconds, int resumeBufferFrames,
                      int resumeBufferBytes) {
  }

  /** @param generatedSecret true when TURN URLs are set without a secret and development mode made one up */
  public record Ice(List<String> stunUrls, List<String> turnUrls, List<String> turnSecrets,
                    int credentialTtlSeconds, boolean generatedSecret) {
  }

  /**
   * Membership of a Hazelcast cluster. The Hazelcast XML ({@code hazelcastConfig}, else the built-in loopback
   * file) is the base; {@code host}, {@code port} and {@code members} override it when set.
   *
   * @param hazelcastConfig path of a Hazelcast XML file; empty means the built-in {@code cluster/hazelcast-local.xml}
   * @param host the address Hazelcast and the event bus bind to and announce; empty keeps the XML's
   * @param port Hazelcast member port; 0 keeps the XML's
   * @param members {@code host:port} of the members to contact; empty keeps the XML's list
   * @param eventBusPort TCP port of the clustered event bus; 0 picks a free one
   * @param maxNoHeartbeatSeconds a member silent this long is declared lost
   * @param insecure the event bus runs without TLS; only when a file or the environment says so explicitly
   * @param tls the event bus's mutual TLS; unset only when {@code insecure}
   */
  public record Cluster(boolean enabled, String name, String hazelcastConfig, String host, int port,
                        List<String> members, int eventBusPort, int maxNoHeartbeatSeconds, boolean insecure,
                        ClusterTls tls) {

    public Cluster withEnabled() {
      return new Cluster(true, name, hazelcastConfig, host, port, members, eventBusPort, maxNoHeartbeatSeconds,
        insecure, tls);
    }
  }

  /**
   * PEM files for mutual TLS between members: this member's certificate (chain), its private key, and the
   * cluster's CA, the only issuer a member trusts.
   */
  public record ClusterTls(String cert, String key, String ca) {

    public boolean configured() {
      return !cert.isEmpty();
    }
  }

  /**
   * The built-in STUN/TURN relay ({@code relay.*}); see {@link RelayConfig} for parsing and validation.
   *
   * @param host6 a second, IPv6 listening address beside {@code host} (empty: none)
   * @param relayHost6 where IPv6 relay sockets bind (empty: no IPv6 relayed addresses, unless relayHost is IPv6)
   * @param externalAddress6 the public IPv6 address written into IPv6 XOR-RELAYED-ADDRESS (empty: relayHost6)
   */
  public record Relay(boolean enabled, String host, int port, int instances, String relayHost,
                      String externalAddress, String publicHost, String host6, String relayHost6,
                      String externalAddress6, String realm, int minPort, int maxPort,
                      List<RelayConfig.StaticUser> staticUsers, List<String> allowedPeers, List<String> deniedPeers,
                      int maxAllocations, int maxAllocationsPerUser, int maxAllocationsPerUserInCluster,
                      long maxBitsPerSecond,
                      int unauthorizedPerSecond, int unauthorizedBurst, int defaultLifetimeSeconds,
                      int maxLifetimeSeconds, int nonceLifetimeSeconds, RelayConfig.Streams streams) {
  }

  /**
   * One TLS port for HTTPS, wss and TURN over TLS (for clients that can reach nothing but TCP 443).
   *
   * @param host the address it listens on
   * @param port its port, usually 443; also the port of the {@code turns:} URL clients are given
   */
  public record OnePort(boolean enabled, String host, int port) {
  }

  /** How the node writes its log ({@code log.format}): one line of text, or one JSON object, per record. */
  public record Log(Format format) {

    public enum Format { TEXT, JSON }
  }

  /**
   * Signed webhooks about rooms and participants ({@code webhooks.*}); see {@link WebhooksConfig} for parsing and
   * docs/webhooks.md for what is sent.
   *
   * @param urls receivers, each gets every event; empty switches webhooks off
   * @param secrets one or two shared secrets each request is signed with (two while rotating); never logged
   * @param requestTimeoutMillis one POST must be answered within this, or it counts as failed and is retried
   * @param minBackoffMillis the first retry's delay; each further one doubles it, with jitter
   * @param maxBackoffMillis the longest delay between two attempts
   * @param maxAttempts attempts per event and receiver before it is given up
   * @param maxAgeSeconds an event older than this is given up instead of retried
   * @param queueSize events waiting for delivery on a node, at most; more are dropped and counted
   * @param reorderWindowMillis how long an event waits for an earlier one of its room that has not arrived yet
   * @param drainSeconds on a graceful stop, how long pending events get to be delivered (or handed over)
   */
  public record Webhooks(List<String> urls, List<String> secrets, int requestTimeoutMillis, int minBackoffMillis,
                         int maxBackoffMillis, int maxAttempts, int maxAgeSeconds, int queueSize,
                         int reorderWindowMillis, int drainSeconds) {

    public boolean enabled() {
      return !urls.isEmpty();
    }
  }

  public static SwitchboardConfig from(JsonObject json) {
    JsonObject node = section(json, "node");
    JsonObject http = section(json, "http");
    JsonObject auth = section(json, "auth");
    JsonObject limits = section(json, "limits");
    JsonObject ice = section(json, "ice");
    boolean devTokens = bool(auth, "devTokens", "auth.devTokens");
    Node nodeConfig = new Node(parseNodeId(node));
    Http httpConfig = parseHttp(http);
    Auth authConfig = parseAuth(auth, devTokens);
    Limits limitsConfig = parseLimits(limits);
    Ice iceConfig = parseIce(ice, devTokens);
    Relay relay = RelayConfig.parse(section(json, "relay"));
    Cluster clusterConfig = parseCluster(section(json, "cluster"));
    OnePort onePort = parseOnePort(section(json, "onePort"));
    SwitchboardConfig config = new SwitchboardConfig(nodeConfig, httpConfig, authConfig, limitsConfig,
      parseRooms(section(json, "rooms")),
      RelayConfig.advertise(relay, onePort, iceConfig, devTokens), relay, clusterConfig, onePort,
      parseLog(section(json, "log")), WebhooksConfig.parse(section(json, "webhooks")));
    config.checkModes();
    return config;
  }

  /** The same configuration with clustering switched on (the {@code --cluster} flag). */
  public SwitchboardConfig withClusterEnabled() {
    SwitchboardConfig config = new SwitchboardConfig(node, http, auth, limits, rooms, ice, relay,
      cluster.withEnabled(), onePort, log, webhooks);
    config.checkModes();
    return config;
  }

  /** The same configuration with {@code node.id} set (a random id chosen once, before anything logs with it). */
  public SwitchboardConfig withNodeId(String id) {
    return new SwitchboardConfig(new Node(id), http, auth, limits, rooms, ice, relay, cluster, onePort, log,
      webhooks);
  }

  /** Development mode and clustering each exclude settings that would be unsafe with them. */
  private void checkModes() {
    if (auth.devTokens()) {
      checkDevelopmentMode();
    }
    if (onePort.enabled()) {
      checkOnePort();
    }
    if (cluster.enabled()) {
      checkClusterTransport();
    }
  }

  /**
   * Development tokens let anyone who reaches the node join any room, signed with the node's key: only on a
   * node nobody else can reach, and never in a cluster, whose members share real secrets (and must, so a made-up
   * secret per process could not work there either).
   */
  private void checkDevelopmentMode() {
    if (cluster.enabled()) {
      throw new ConfigException("auth.devTokens cannot be used in a cluster: development tokens would be signed "
        + "with the cluster's shared key; mint tokens with your backend or the token command instead");
    }
    if (!IpAddresses.isLoopback(http.host())) {
      throw new ConfigException("auth.devTokens is allowed only with a loopback http.host (127.0.0.1 or ::1), "
        + "not " + http.host() + ": anyone who reaches POST /api/dev/token could join any room");
    }
  }

  /** One-port mode serves the HTTP port's certificate and hands TURN to the relay: it needs both. */
  private void checkOnePort() {
    if (!http.tls().enabled()) {
      throw new ConfigException("onePort.enabled needs http.tls.cert and http.tls.key: the one port serves HTTPS, "
        + "wss and TURN over TLS with that certificate");
    }
    if (!relay.enabled()) {
      throw new ConfigException("onePort.enabled needs relay.enabled: TURN over TLS on the one port is the relay's");
    }
  }

  /** Members trust each other only through the event bus's mutual TLS, unless the operator opts out in writing. */
  private void checkClusterTransport() {
    if (cluster.insecure() && cluster.tls().configured()) {
      throw new ConfigException("cluster.insecure is true but cluster.tls is set: remove one of them");
    }
    if (!cluster.insecure() && !cluster.tls().configured()) {
      throw new ConfigException("cluster.enabled needs mutual TLS between members: set cluster.tls.cert, "
        + "cluster.tls.key and cluster.tls.ca (SWITCHBOARD_CLUSTER_TLS_CERT, ..._KEY, ..._CA; "
        + "cluster/make-certs.sh makes a CA and member certificates), or set cluster.insecure to true to run "
        + "without it on a network nobody else can reach");
    }
  }

  private static String parseNodeId(JsonObject node) {
    String id = string(node, "id", "node.id");
    if (!id.isEmpty() && !NODE_ID.matcher(id).matches()) {
      throw new ConfigException("node.id must be 1-64 of [A-Za-z0-9_.-] (it is part of event-bus addresses)");
    }
    return id;
  }

  private static Cluster parseCluster(JsonObject cluster) {
    List<String> members = strings(cluster, "members", "cluster.members");
    for (String member : members) {
      if (!member.matches("[^:\\s]+:\\d{1,5}") && !member.matches("\\[[0-9A-Fa-f:.]+]:\\d{1,5}")) {
        throw new ConfigException("cluster.members: '" + member + "' is not host:port (list every member; "
          + "a port range is not accepted)");
      }
    }
    String name = string(cluster, "name", "cluster.name");
    if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ConfigException("cluster.name must be 1-64 of [A-Za-z0-9_.-]");
    }
    String file = string(cluster, "hazelcastConfig", "cluster.hazelcastConfig");
    if (!file.isEmpty() && !Files.isReadable(path(file, "cluster.hazelcastConfig"))) {
      throw new ConfigException("cluster.hazelcastConfig: cannot read " + file);
    }
    String host = nonBlank(cluster, "cluster.host");
    if (!IpAddresses.isSpecificIp(host)) {
      throw new ConfigException("cluster.host must be this member's own IP address (Hazelcast and the event bus "
        + "listen there and nowhere else), not " + host);
    }
    return new Cluster(bool(cluster, "enabled", "cluster.enabled"), name, file, host,
      range(cluster, "port", "cluster.port", 0, 65535),
      members,
      range(cluster, "eventBusPort", "cluster.eventBusPort", 0, 65535),
      range(cluster, "maxNoHeartbeatSeconds", "cluster.maxNoHeartbeatSeconds", 2, 60),
      bool(cluster, "insecure", "cluster.insecure"),
      parseClusterTls(section(cluster, "tls", "cluster.tls")));
  }

  /** All three files or none; each must be readable. What is in them is checked when the node starts. */
  private static ClusterTls parseClusterTls(JsonObject tls) {
    ClusterTls parsed = new ClusterTls(string(tls, "cert", "cluster.tls.cert"), string(tls, "key", "cluster.tls.key"),
      string(tls, "ca", "cluster.tls.ca"));
    List<String> given = new ArrayList<>();
    for (String[] file : new String[][] {{"cert", parsed.cert()}, {"key", parsed.key()}, {"ca", parsed.ca()}}) {
      if (!file[1].isEmpty()) {
        given.add(file[0]);
        if (!Files.isReadable(path(file[1], "cluster.tls." + file[0]))) {
          throw new ConfigException("cluster.tls." + file[0] + ": cannot read " + file[1]);
        }
      }
    }
    if (!given.isEmpty() && given.size() != 3) {
      throw new ConfigException("cluster.tls needs cert, key and ca together; only " + given + " is set");
    }
    return parsed;
  }

  private static Http parseHttp(JsonObject http) {
    List<String> exempt = strings(http, "exemptAddresses", "http.exemptAddresses");
    for (String block : exempt) {
      if (!IpAddresses.isAddressOrBlock(block)) {
        throw new ConfigException("http.exemptAddresses: '" + block + "' is not an IP address or CIDR block "
          + "(host names are not accepted)");
      }
    }
    return new Http(
      nonBlank(http, "http.host"),
      range(http, "port", "http.port", 0, 65535),
      range(http, "edgeInstances", "http.edgeInstances", 0, 256),
      strings(http, "allowedOrigins", "http.allowedOrigins"),
      string(http, "webroot", "http.webroot"),
      range(http, "headerTimeoutSeconds", "http.headerTimeoutSeconds", 1, 300),
      range(http, "idleTimeoutSeconds", "http.idleTimeoutSeconds", 1, 3600),
      range(http, "maxConnectionsPerAddress", "http.maxConnectionsPerAddress", 0, 1_000_000),
      range(http, "upgradesPerSecondPerAddress", "http.upgradesPerSecondPerAddress", 0, 100_000),
      range(http, "upgradeBurstPerAddress", "http.upgradeBurstPerAddress", 1, 1_000_000),
      exempt,
      parseHttpTls(section(http, "tls", "http.tls")));
  }

  /**
   * Both files or neither. A pair that is set is read and checked now (it parses, the key is the certificate's,
   * the certificate is valid today), so a node that could not serve TLS refuses to start with one line.
   */
  private static HttpTls parseHttpTls(JsonObject tls) {
    String cert = string(tls, "cert", "http.tls.cert");
    String key = string(tls, "key", "http.tls.key");
    int reloadSeconds = range(tls, "reloadSeconds", "http.tls.reloadSeconds", 0, 86_400);
    if (cert.isEmpty() != key.isEmpty()) {
      String given = cert.isEmpty() ? "http.tls.key" : "http.tls.cert";
      String missing = cert.isEmpty() ? "http.tls.cert" : "http.tls.key";
      throw new ConfigException(given + " is set but " + missing + " is not: set both (the PEM certificate chain and "
        + "its unencrypted PKCS#8 key) or neither");
    }
    if (!cert.isEmpty()) {
      PemMaterial.read("http.tls", cert, key, Instant.now());
    }
    return new HttpTls(cert, key, reloadSeconds);
  }

  private static OnePort parseOnePort(JsonObject onePort) {
    String host = nonBlank(onePort, "onePort.host");
    if (!IpAddresses.isAddressOrBlock(host) || host.contains("/")) {
      throw new ConfigException("onePort.host must be an IP address (it is what the listener binds), not " + host);
    }
    return new OnePort(bool(onePort, "enabled", "onePort.enabled"), host,
      range(onePort, "port", "onePort.port", 0, 65535));
  }

  private static Auth parseAuth(JsonObject auth, boolean devTokens) {
    List<String> secrets = strings(auth, "hs256Secrets", "auth.hs256Secrets");
    secrets.forEach(s -> checkSecret(s, "auth.hs256Secrets"));
    List<String> rsa = readKeys(strings(auth, "rs256PublicKeys", "auth.rs256PublicKeys"), "auth.rs256PublicKeys");
    List<String> ec = readKeys(strings(auth, "es256PublicKeys", "auth.es256PublicKeys"), "auth.es256PublicKeys");
    boolean generated = false;
    if (secrets.isEmpty() && devTokens) {
      // Development tokens are signed with HS256, so development mode always has a secret, made up per start.
      secrets = List.of(randomSecret());
      generated = true;
    }
    if (secrets.isEmpty() && rsa.isEmpty() && ec.isEmpty()) {
      throw new ConfigException("no JWT key configured: set auth.hs256Secrets (SWITCHBOARD_AUTH_HS256_SECRETS), "
        + "auth.rs256PublicKeys or auth.es256PublicKeys, or turn on auth.devTokens for development");
    }
    return new Auth(List.copyOf(secrets), rsa, ec, string(auth, "issuer", "auth.issuer"),
      string(auth, "audience", "auth.audience"),
      range(auth, "clockSkewSeconds", "auth.clockSkewSeconds", 0, 600), devTokens, generated);
  }

  private static Limits parseLimits(JsonObject limits) {
    Limits parsed = new Limits(
      range(limits, "maxFrameBytes", "limits.maxFrameBytes", 1024, 16 * 1024 * 1024),
      range(limits, "rateFramesPerSecond", "limits.rateFramesPerSecond", 1, 1_000_000),
      range(limits, "rateBurst", "limits.rateBurst", 1, 1_000_000),
      range(limits, "rateBytesPerSecond", "limits.rateBytesPerSecond", 1024, Integer.MAX_VALUE),
      range(limits, "rateBytesBurst", "limits.rateBytesBurst", 1024, Integer.MAX_VALUE),
      range(limits, "rateAbuseSeconds", "limits.rateAbuseSeconds", 1, 3600),
      range(limits, "maxParticipantsPerRoom", "limits.maxParticipantsPerRoom", 1, 1_000_000),
      range(limits, "pingIntervalSeconds", "limits.pingIntervalSeconds", 1, 3600),
      range(limits, "maxQueuedBytes", "limits.maxQueuedBytes", 4096, Integer.MAX_VALUE));
    if (parsed.rateBytesBurst() < parsed.maxFrameBytes()) {
      throw new ConfigException("limits.rateBytesBurst (" + parsed.rateBytesBurst() + ") must be at least "
        + "limits.maxFrameBytes (" + parsed.maxFrameBytes() + "): a frame the size limit allows must be able to pass");
    }
    return parsed;
  }

  private static Log parseLog(JsonObject log) {
    String format = string(log, "format", "log.format");
    return new Log(switch (format) {
      case "text" -> Log.Format.TEXT;
      case "json" -> Log.Format.JSON;
      default -> throw new ConfigException("log.format must be text or json, not " + format);
    });
  }

  private static Rooms parseRooms(JsonObject rooms) {
    String policy = string(rooms, "duplicateIdentity", "rooms.duplicateIdentity");
    DuplicateIdentity duplicateIdentity = switch (policy) {
      case "replace" -> DuplicateIdentity.REPLACE;
      case "reject" -> DuplicateIdentity.REJECT;
      default -> throw new ConfigException("rooms.duplicateIdentity must be replace or reject, not " + policy);
    };
    return new Rooms(duplicateIdentity,
      range(rooms, "gracePeriodSeconds", "rooms.gracePeriodSeconds", 0, 3600),
      range(rooms, "resumeBufferFrames", "rooms.resumeBufferFrames", 1, 100_000),
      range(rooms, "resumeBufferBytes", "rooms.resumeBufferBytes", 1024, 64 * 1024 * 1024));
  }

  private static Ice parseIce(JsonObject ice, boolean devTokens) {
    List<String> turnUrls = strings(ice, "turnUrls", "ice.turnUrls");
    List<String> secrets = strings(ice, "turnSecrets", "ice.turnSecrets");
    secrets.forEach(s -> checkSecret(s, "ice.turnSecrets"));
    boolean generated = false;
    if (!turnUrls.isEmpty() && secrets.isEmpty()) {
      if (!devTokens) {
        throw new ConfigException("ice.turnUrls is set but ice.turnSecrets is empty: set SWITCHBOARD_ICE_TURN_SECRETS "
          + "to the TURN server's static-auth-secret");
      }
      secrets = List.of(randomSecret());
      generated = true;
    }
    return new Ice(strings(ice, "stunUrls", "ice.stunUrls"), turnUrls, List.copyOf(secrets),
      range(ice, "credentialTtlSeconds", "ice.credentialTtlSeconds", 60, 7 * 86400), generated);
  }

  /** Refuses placeholders and short secrets; {@code key} names where the secret came from. */
  public static void checkSecret(String secret, String key) {
    String lower = secret.toLowerCase(Locale.ROOT);
    if (lower.contains("replace") || lower.contains("change") || lower.contains("example")
      || lower.contains("placeholder") || lower.contains("secret")) {
      throw new ConfigException(key + " holds a placeholder, not a secret: set it to " + MIN_SECRET_LENGTH
        + "+ random characters (for example: openssl rand -base64 48)");
    }
    if (secret.length() < MIN_SECRET_LENGTH) {
      throw new ConfigException(key + " holds a secret of " + secret.length() + " characters; at least "
        + MIN_SECRET_LENGTH + " are required (for example: openssl rand -base64 48)");
    }
  }

  static String randomSecret() {
    byte[] bytes = new byte[48];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A key is given inline as PEM or as the path of a PEM file. */
  private static List<String> readKeys(List<String> entries, String key) {
    List<String> pems = new ArrayList<>();
    for (String entry : entries) {
      String pem = entry;
      if (!entry.contains("-----BEGIN")) {
        try {
          pem = Files.readString(path(entry, key));
        } catch (IOException e) {
          throw new ConfigException(key + ": cannot read PEM file " + entry + ": " + e.getMessage());
        }
      }
      if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
        throw new ConfigException(key + ": expected a PEM public key (-----BEGIN PUBLIC KEY-----)");
      }
      pems.add(pem);
    }
    return List.copyOf(pems);
  }

  /**
   * The file a setting names. A value no file can have (a NUL character; found by fuzzing, which got
   * InvalidPathException out of the loader) is refused like any other bad value.
   */
  static Path path(String value, String key) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new ConfigException(key + " is not a file path: " + e.getReason());
    }
  }

  private static JsonObject section(JsonObject json, String name) {
    return section(json, name, name);
  }

  static JsonObject section(JsonObject json, String name, String path) {
    Object value = json.getValue(name);
    if (!(value instanceof JsonObject section)) {
      throw new ConfigException("configuration section '" + path + "' is missing or not an object");
    }
    return section;
  }

  static String string(JsonObject section, String key, String path) {
    Object value = section.getValue(key);
    if (value == null) {
      return "";
    }
    if (!(value instanceof String s)) {
      throw new ConfigException(path + " must be a string");
    }
    return s;
  }

  static boolean bool(JsonObject section, String key, String path) {
    Object value = section.getValue(key);
    if (!(value instanceof Boolean b)) {
      throw new ConfigException(path + " must be true or false");
    }
    return b;
  }

  static String nonBlank(JsonObject section, String path) {
    String key = path.substring(path.indexOf('.') + 1);
    Object value = section.getValue(key);
    if (!(value instanceof String s) || s.isBlank()) {
      throw new ConfigException(path + " must be a non-empty string");
    }
    return s;
  }

  static int range(JsonObject section, String key, String path, int min, int max) {
    Object value = section.getValue(key);
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new ConfigException(path + " must be a whole number");
    }
    // compared as the number written, before any conversion: 18446744073709559696 must not wrap to 8080
    if (n.doubleValue() < min || n.doubleValue() > max) {
      throw new ConfigException(path + " must be between " + min + " and " + max + ", not " + value);
    }
    return n.intValue();
  }

  static List<String> strings(JsonObject section, String key, String path) {
    Object value = section.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw new ConfigException(path + " must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String s) || s.isBlank()) {
        throw new ConfigException(path + " must be a list of non-empty strings");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }
}
