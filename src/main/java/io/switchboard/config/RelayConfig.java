package io.switchboard.config;

import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parsing and validation of the {@code relay} section (the built-in STUN/TURN relay), and how the relay shows up
 * in {@code iceServers}. Kept apart from {@link SwitchboardConfig} so the relay's rules live in one place.
 */
public final class RelayConfig {

  /** Longest realm accepted: it is echoed in every 401, which must stay small (no amplification). */
  public static final int MAX_REALM_LENGTH = 64;

  /**
   * A user of the long-term credential mechanism configured by name and password (coturn's {@code user=}).
   * {@link #toString()} leaves the password out so it never lands in a log.
   */
  public record StaticUser(String name, String password) {
    @Override
    public String toString() {
      return "StaticUser[" + name + "]";
    }
  }

  /**
   * TURN over TCP and TLS (RFC 8656 section 3.1): the client-to-relay transport is a stream, the relayed one stays
   * UDP. Ports on {@code relay.host}; TLS serves {@code tlsCert}/{@code tlsKey} (PEM), re-read every
   * {@code tlsReloadSeconds}. A connection must authenticate a request within {@code authTimeoutSeconds} of being
   * accepted (the TLS handshake included); connections are limited per relay instance and per source address.
   */
  public record Streams(boolean tcpEnabled, int tcpPort, boolean tlsEnabled, int tlsPort, String tlsCert,
                        String tlsKey, int tlsReloadSeconds, int authTimeoutSeconds, int maxConnections,
                        int maxConnectionsPerAddress) {

    public boolean any() {
      return tcpEnabled || tlsEnabled;
    }
  }

  private RelayConfig() {
  }

  /** Where the relay listens, binds relay ports, and what clients are told; see {@link #addresses}. */
  private record Addresses(String host, String relayHost, String external, String publicHost) {
  }

  /** The IPv6 side beside an IPv4 one; see {@link #ipv6Addresses}. */
  private record Ipv6Addresses(String host6, String relayHost6, String external6) {
  }

  static SwitchboardConfig.Relay parse(JsonObject relay) {
    boolean enabled = SwitchboardConfig.bool(relay, "enabled", "relay.enabled");
    Addresses addresses = addresses(relay, enabled);
    Ipv6Addresses ipv6 = ipv6Addresses(relay, enabled, addresses);
    String realm = SwitchboardConfig.nonBlank(relay, "relay.realm");
    if (realm.length() > MAX_REALM_LENGTH) {
      throw new ConfigException("relay.realm is longer than " + MAX_REALM_LENGTH + " characters");
    }
    int minPort = SwitchboardConfig.range(relay, "minPort", "relay.minPort", 1024, 65535);
    int maxPort = SwitchboardConfig.range(relay, "maxPort", "relay.maxPort", 1024, 65535);
    if (minPort > maxPort) {
      throw new ConfigException("relay.minPort " + minPort + " is above relay.maxPort " + maxPort);
    }
    int maxLifetime = SwitchboardConfig.range(relay, "maxLifetimeSeconds", "relay.maxLifetimeSeconds", 60, 86400);
    int defaultLifetime = SwitchboardConfig.range(relay, "defaultLifetimeSeconds", "relay.defaultLifetimeSeconds",
      60, 86400);
    if (defaultLifetime > maxLifetime) {
      throw new ConfigException("relay.defaultLifetimeSeconds " + defaultLifetime
        + " is above relay.maxLifetimeSeconds " + maxLifetime);
    }
    return new SwitchboardConfig.Relay(enabled, addresses.host(),
      SwitchboardConfig.range(relay, "port", "relay.port", 1, 65535),
      SwitchboardConfig.range(relay, "instances", "relay.instances", 1, 64),
      addresses.relayHost(), addresses.external(), addresses.publicHost(), ipv6.host6(), ipv6.relayHost6(),
      ipv6.external6(), realm, minPort, maxPort,
      staticUsers(SwitchboardConfig.strings(relay, "staticUsers", "relay.staticUsers")),
      cidrs(SwitchboardConfig.strings(relay, "allowedPeers", "relay.allowedPeers"), "relay.allowedPeers"),
      cidrs(SwitchboardConfig.strings(relay, "deniedPeers", "relay.deniedPeers"), "relay.deniedPeers"),
      SwitchboardConfig.range(relay, "maxAllocations", "relay.maxAllocations", 1, 1_000_000),
      SwitchboardConfig.range(relay, "maxAllocationsPerUser", "relay.maxAllocationsPerUser", 1, 1_000_000),
      SwitchboardConfig.range(relay, "maxAllocationsPerUserInCluster", "relay.maxAllocationsPerUserInCluster", 0,
        1_000_000),
      SwitchboardConfig.range(relay, "maxBitsPerSecond", "relay.maxBitsPerSecond", 0, Integer.MAX_VALUE),
      SwitchboardConfig.range(relay, "unauthorizedPerSecond", "relay.unauthorizedPerSecond", 1, 100_000),
      SwitchboardConfig.range(relay, "unauthorizedBurst", "relay.unauthorizedBurst", 1, 1_000_000),
      defaultLifetime, maxLifetime,
      SwitchboardConfig.range(relay, "nonceLifetimeSeconds", "relay.nonceLifetimeSeconds", 30, 86400),
      streams(relay));
  }

  /** relay.tcp, relay.tls and the stream limits; TLS needs a readable certificate and key (checked at start). */
  private static Streams streams(JsonObject relay) {
    JsonObject tcp = SwitchboardConfig.section(relay, "tcp", "relay.tcp");
    JsonObject tls = SwitchboardConfig.section(relay, "tls", "relay.tls");
    boolean tcpEnabled = SwitchboardConfig.bool(tcp, "enabled", "relay.tcp.enabled");
    boolean tlsEnabled = SwitchboardConfig.bool(tls, "enabled", "relay.tls.enabled");
    int tcpPort = SwitchboardConfig.range(tcp, "port", "relay.tcp.port", 1, 65535);
    int tlsPort = SwitchboardConfig.range(tls, "port", "relay.tls.port", 1, 65535);
    if (tcpEnabled && tlsEnabled && tcpPort == tlsPort) {
      throw new ConfigException("relay.tcp.port and relay.tls.port are both " + tcpPort + ": give TLS its own port");
    }
    String cert = SwitchboardConfig.string(tls, "cert", "relay.tls.cert");
    String key = SwitchboardConfig.string(tls, "key", "relay.tls.key");
    if (tlsEnabled) {
      for (String[] file : new String[][] {{"relay.tls.cert", cert}, {"relay.tls.key", key}}) {
        if (file[1].isBlank()) {
          throw new ConfigException(file[0] + " must name a PEM file when relay.tls.enabled is true");
        }
        if (!Files.isReadable(SwitchboardConfig.path(file[1], file[0]))) {
          throw new ConfigException(file[0] + ": cannot read " + file[1]);
        }
      }
    }
    return new Streams(tcpEnabled, tcpPort, tlsEnabled, tlsPort, cert, key,
      SwitchboardConfig.range(tls, "reloadSeconds", "relay.tls.reloadSeconds", 0, 86400),
      SwitchboardConfig.range(relay, "streamAuthTimeoutSeconds", "relay.streamAuthTimeoutSeconds", 1, 300),
      SwitchboardConfig.range(relay, "maxStreamConnections", "relay.maxStreamConnections", 1, 1_000_000),
      SwitchboardConfig.range(relay, "maxStreamConnectionsPerAddress", "relay.maxStreamConnectionsPerAddress", 1,
        1_000_000));
  }

  /**
   * relay.host (IP literal); relayHost, the address relay ports bind to (default: host); externalAddress, the
   * public IP, required when relayHost is a wildcard and the relay is on; publicHost, what clients are told
   * (default: externalAddress, else relayHost for a wildcard host, else host).
   */
  private static Addresses addresses(JsonObject relay, boolean enabled) {
    String host = ipLiteral(SwitchboardConfig.nonBlank(relay, "relay.host"), "relay.host");
    String relayHost = SwitchboardConfig.string(relay, "relayHost", "relay.relayHost");
    relayHost = relayHost.isEmpty() ? host : ipLiteral(relayHost, "relay.relayHost");
    String external = SwitchboardConfig.string(relay, "externalAddress", "relay.externalAddress");
    if (!external.isEmpty()) {
      refusePlaceholder(external, "relay.externalAddress", "the relay's public IP address");
      external = ipLiteral(external, "relay.externalAddress");
      if (IpAddresses.isIpv6(external) != IpAddresses.isIpv6(relayHost)) {
        throw new ConfigException("relay.externalAddress " + external + " is not of the family of relay.relayHost "
          + "(or relay.host) " + relayHost + ": it advertises the relay sockets bound there"
          + (IpAddresses.isIpv6(external) ? "; an IPv6 public address goes in relay.externalAddress6" : ""));
      }
    }
    if (enabled && IpAddresses.isWildcard(relayHost) && external.isEmpty()) {
      throw new ConfigException("relay.relayHost (or relay.host) " + relayHost + " is a wildcard address, so "
        + "relay.externalAddress (SWITCHBOARD_RELAY_EXTERNAL_ADDRESS) must name the public IP clients reach the "
        + "relay on");
    }
    String publicHost = SwitchboardConfig.string(relay, "publicHost", "relay.publicHost");
    if (publicHost.isEmpty()) {
      publicHost = !external.isEmpty() ? external : IpAddresses.isWildcard(host) ? relayHost : host;
    }
    return new Addresses(host, relayHost, external, publicHost);
  }

  /**
   * relay.host6, a second listener (a specific IPv6 address beside an IPv4 relay.host); relay.relayHost6, where
   * IPv6 relay sockets bind (empty: no IPv6 relayed addresses, unless relay.relayHost is IPv6 itself);
   * relay.externalAddress6, the public IPv6 address advertised for them, required when relayHost6 is {@code ::}.
   */
  private static Ipv6Addresses ipv6Addresses(JsonObject relay, boolean enabled, Addresses ipv4) {
    String host6 = ipv6Literal(SwitchboardConfig.string(relay, "host6", "relay.host6"), "relay.host6");
    if (!host6.isEmpty() && IpAddresses.isIpv6(ipv4.host())) {
      throw new ConfigException("relay.host6 is a second, IPv6 listener beside an IPv4 relay.host; relay.host "
        + ipv4.host() + " is IPv6 already");
    }
    if (IpAddresses.isWildcard(host6)) {
      // no IPV6_V6ONLY through Netty's channels: a socket on :: takes IPv4 too and collides with relay.host's port
      throw new ConfigException("relay.host6 must be a specific IPv6 address, not ::, which on Linux "
        + "(net.ipv6.bindv6only=0) takes IPv4 as well and collides with relay.host on relay.port; to listen on "
        + "every address of both families set relay.host to :: alone");
    }
    String relayHost6 = ipv6Literal(SwitchboardConfig.string(relay, "relayHost6", "relay.relayHost6"),
      "relay.relayHost6");
    if (!relayHost6.isEmpty() && IpAddresses.isIpv6(ipv4.relayHost())) {
      throw new ConfigException("relay.relayHost6 is set but relay.relayHost (or relay.host) " + ipv4.relayHost()
        + " is IPv6 already: set relay.relayHost to an IPv4 address for IPv4 relaying");
    }
    return new Ipv6Addresses(host6, relayHost6, external6(relay, enabled, relayHost6));
  }

  /** relay.externalAddress6: only beside relay.relayHost6, and required when that is the wildcard. */
  private static String external6(JsonObject relay, boolean enabled, String relayHost6) {
    String external6 = SwitchboardConfig.string(relay, "externalAddress6", "relay.externalAddress6");
    if (!external6.isEmpty()) {
      refusePlaceholder(external6, "relay.externalAddress6", "the relay's public IPv6 address");
      external6 = ipv6Literal(external6, "relay.externalAddress6");
      if (relayHost6.isEmpty()) {
        throw new ConfigException("relay.externalAddress6 needs relay.relayHost6, the address IPv6 relay sockets "
          + "bind to");
      }
    }
    if (enabled && IpAddresses.isWildcard(relayHost6) && external6.isEmpty()) {
      throw new ConfigException("relay.relayHost6 " + relayHost6 + " is a wildcard address, so "
        + "relay.externalAddress6 (SWITCHBOARD_RELAY_EXTERNAL_ADDRESS6) must name the public IPv6 address");
    }
    return external6;
  }

  /** Empty, or an IPv6 literal. */
  private static String ipv6Literal(String value, String key) {
    if (value.isEmpty()) {
      return value;
    }
    ipLiteral(value, key);
    if (!IpAddresses.isIpv6(value)) {
      throw new ConfigException(key + " must be an IPv6 address, not '" + value + "'");
    }
    return value;
  }

  /**
   * The {@code ice} section as browsers should see it: when the relay is on and no STUN/TURN URLs are configured,
   * the node's own relay ({@code stun:} and {@code turn:} at {@code relay.publicHost:relay.port}). Its TURN
   * credentials are signed with {@code ice.turnSecrets}; development mode makes one up when none is set (both
   * sides use it, so nothing to warn about). Without a secret outside development only the STUN entry is listed.
   */
  static SwitchboardConfig.Ice advertise(SwitchboardConfig.Relay relay, SwitchboardConfig.OnePort onePort,
                                         SwitchboardConfig.Ice ice, boolean devTokens) {
    if (!relay.enabled() || !ice.turnUrls().isEmpty() || !ice.stunUrls().isEmpty()) {
      return ice;
    }
    String host = relay.publicHost().contains(":") ? "[" + relay.publicHost() + "]" : relay.publicHost();
    String hostPort = host + ":" + relay.port();
    List<String> secrets = ice.turnSecrets();
    if (secrets.isEmpty() && devTokens) {
      secrets = List.of(SwitchboardConfig.randomSecret());
    }
    List<String> turn = secrets.isEmpty() ? List.of() : turnUrls(host, relay, onePort);
    return new SwitchboardConfig.Ice(List.of("stun:" + hostPort), turn, secrets, ice.credentialTtlSeconds(),
      ice.generatedSecret());
  }

  /**
   * The relay's TURN URLs: UDP always, then TCP and TLS (RFC 7065: {@code turns:} with {@code transport=tcp}) when
   * they listen, and TURN over TLS on the one port (onePort.port, for clients behind firewalls that pass TCP 443
   * only). A browser verifies the TLS certificate against the URL's host: relay.publicHost must be a name the
   * certificate holds.
   */
  private static List<String> turnUrls(String host, SwitchboardConfig.Relay relay, SwitchboardConfig.OnePort onePort) {
    List<String> urls = new ArrayList<>();
    urls.add("turn:" + host + ":" + relay.port() + "?transport=udp");
    if (relay.streams().tcpEnabled()) {
      urls.add("turn:" + host + ":" + relay.streams().tcpPort() + "?transport=tcp");
    }
    if (relay.streams().tlsEnabled()) {
      urls.add("turns:" + host + ":" + relay.streams().tlsPort() + "?transport=tcp");
    }
    if (onePort.enabled()) {
      urls.add("turns:" + host + ":" + onePort.port() + "?transport=tcp");
    }
    return List.copyOf(urls);
  }

  private static List<StaticUser> staticUsers(List<String> entries) {
    List<StaticUser> users = new ArrayList<>();
    for (String entry : entries) {
      int colon = entry.indexOf(':');
      if (colon <= 0 || colon == entry.length() - 1) {
        throw new ConfigException("relay.staticUsers entries are name:password (coturn's user=), "
          + "one entry has no name or no password");
      }
      String name = entry.substring(0, colon);
      if (name.length() > 128) {
        throw new ConfigException("relay.staticUsers: a user name is longer than 128 characters");
      }
      SwitchboardConfig.checkSecret(entry.substring(colon + 1), "relay.staticUsers (password of " + name + ")");
      users.add(new StaticUser(name, entry.substring(colon + 1)));
    }
    return List.copyOf(users);
  }

  private static List<String> cidrs(List<String> entries, String key) {
    for (String entry : entries) {
      if (!IpAddresses.isAddressOrBlock(entry)) {
        throw new ConfigException(key + ": '" + entry + "' is not an IP address or CIDR block (e.g. 203.0.113.0/24)");
      }
    }
    return entries;
  }

  private static String ipLiteral(String value, String key) {
    if (IpAddresses.parse(value) == null) {
      throw new ConfigException(key + " must be an IP address (not a host name or a block), not '" + value + "'");
    }
    return value;
  }

  private static void refusePlaceholder(String value, String key, String what) {
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.contains("replace") || lower.contains("example") || lower.contains("change")) {
      throw new ConfigException(key + " holds a placeholder: set it to " + what);
    }
  }
}
