package io.switchboard.cluster;

import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.EndpointConfig;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.InterfacesConfig;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.instance.ProtocolType;
import io.switchboard.config.ConfigException;
import io.switchboard.config.SwitchboardConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Builds the Hazelcast configuration of a member: the XML file ({@code cluster.hazelcastConfig}, else the
 * built-in loopback one), then what Switchboard enforces whatever the file says:
 * <ul>
 *   <li>only the member protocol is served, on {@code cluster.host} alone: the file's {@code <network>} becomes an
 *   advanced network with a member endpoint and nothing else, so Hazelcast clients (which could read and clear
 *   the rooms map) are refused, and no socket binds a wildcard address;</li>
 *   <li>Java deserialization is limited to Hazelcast's allow-list (JDK and Hazelcast classes); Switchboard's
 *   own cluster types travel through their own serializers;</li>
 *   <li>cluster name, port, members, heartbeat and the member attributes (the node id, its service listeners).</li>
 * </ul>
 */
public final class HazelcastSetup {

  public static final String BUILT_IN = "cluster/hazelcast-local.xml";
  public static final String ROOMS_MAP = "switchboard.rooms";
  /** Webhook batches waiting for delivery, one entry per room; see {@code HazelcastOutbox}. */
  public static final String WEBHOOKS_MAP = "switchboard.webhooks";

  private HazelcastSetup() {
  }

  /**
   * @param attributes member attributes other members read (at least {@link ClusterMembership#NODE_ATTRIBUTE})
   * @param serializers Switchboard's cluster types and the serializer of each
   */
  public static Config build(SwitchboardConfig.Cluster cluster, Map<String, String> attributes,
                             List<SerializerConfig> serializers) {
    Config config = readXml(cluster.hazelcastConfig());
    config.setClassLoader(HazelcastSetup.class.getClassLoader());
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(cluster.maxNoHeartbeatSeconds()));
    if (config.getProperty("hazelcast.heartbeat.interval.seconds") == null) {
      config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    }
    // Hazelcast binds its sockets to the wildcard address unless told not to, whatever the interfaces say
    for (String property : List.of("hazelcast.socket.bind.any", "hazelcast.socket.server.bind.any",
      "hazelcast.socket.client.bind.any")) {
      config.setProperty(property, "false");
    }
    attributes.forEach(config.getMemberAttributeConfig()::setAttribute);
    memberEndpointOnly(config, cluster);
    // the cluster-wide TURN quota's counts are changed in place by entry processors: no (de)serialization per op
    config.getMapConfig(HazelcastClusterQuota.MAP).setInMemoryFormat(InMemoryFormat.OBJECT).setBackupCount(1);
    HazelcastCredentialRooms.configure(config);
    // a room's pending webhook batches, one entry per room on the room's partition, with a backup: they survive
    // the loss of any one member
    config.getMapConfig(WEBHOOKS_MAP).setBackupCount(1);
    JavaSerializationFilterConfig allowList = new JavaSerializationFilterConfig().setDefaultsDisabled(false);
    config.getSerializationConfig().setJavaSerializationFilterConfig(allowList);
    serializers.forEach(config.getSerializationConfig()::addSerializerConfig);
    return config;
  }

  /**
   * One server socket, for the member protocol, on {@code cluster.host}. A file written with {@code <network>} is
   * carried over to an advanced network; a file that already has one may not open any other endpoint.
   */
  private static void memberEndpointOnly(Config config, SwitchboardConfig.Cluster cluster) {
    AdvancedNetworkConfig advanced = config.getAdvancedNetworkConfig();
    ServerSocketEndpointConfig member;
    if (advanced.isEnabled()) {
      for (Map.Entry<EndpointQualifier, EndpointConfig> endpoint : advanced.getEndpointConfigs().entrySet()) {
        if (endpoint.getKey().getType() != ProtocolType.MEMBER) {
          throw new ConfigException("cluster.hazelcastConfig opens a " + endpoint.getKey().getType()
            + " endpoint: a Switchboard member serves the member protocol only (remove it from <advanced-network>)");
        }
      }
      member = (ServerSocketEndpointConfig) advanced.getEndpointConfigs().get(EndpointQualifier.MEMBER);
    } else {
      NetworkConfig network = config.getNetworkConfig();
      member = new ServerSocketEndpointConfig()
        .setPort(network.getPort())
        .setPortAutoIncrement(network.isPortAutoIncrement())
        .setPortCount(network.getPortCount());
      if (network.getPublicAddress() != null) {
        member.setPublicAddress(network.getPublicAddress());
      }
      advanced.setEnabled(true).setJoin(network.getJoin()).setMemberEndpointConfig(member);
      config.setNetworkConfig(new NetworkConfig());
    }
    member.setInterfaces(new InterfacesConfig().setEnabled(true).addInterface(cluster.host()));
    if (cluster.port() != 0) {
      member.setPort(cluster.port()).setPortAutoIncrement(false);
    }
    if (!cluster.members().isEmpty()) {
      JoinConfig join = advanced.getJoin();
      join.getMulticastConfig().setEnabled(false);
      join.getAutoDetectionConfig().setEnabled(false);
      TcpIpConfig tcp = join.getTcpIpConfig().setEnabled(true).clear();
      cluster.members().forEach(tcp::addMember);
    }
  }

  private static Config readXml(String file) {
    try (InputStream in = file.isEmpty()
      ? HazelcastSetup.class.getClassLoader().getResourceAsStream(BUILT_IN)
      : Files.newInputStream(Path.of(file))) {
      if (in == null) {
        throw new ConfigException("built-in Hazelcast configuration " + BUILT_IN + " is missing from the class path");
      }
      return new XmlConfigBuilder(in).build();
    } catch (IOException e) {
      throw new ConfigException("cannot read cluster.hazelcastConfig " + file + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ConfigException("invalid Hazelcast configuration " + (file.isEmpty() ? BUILT_IN : file) + ": "
        + e.getMessage());
    }
  }
}
