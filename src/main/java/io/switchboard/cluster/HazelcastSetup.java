package io.switchboard.signaling.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InterfacesConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.config.XmlConfigBuilder;
import io.switchboard.config.ConfigException;
import io.switchboard.config.SwitchboardConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds the Hazelcast configuration of a member: the XML file ({@code cluster.hazelcastConfig}, else the
 * built-in loopback one), then Switchboard's overrides (cluster name, port, members, interface, heartbeat) and
 * the member attribute carrying the node id.
 */
public final class HazelcastSetup {

  public static final String BUILT_IN = "cluster/hazelcast-local.xml";
  public static final String ROOMS_MAP = "switchboard.rooms";

  private HazelcastSetup() {
  }

  public static Config build(SwitchboardConfig.Cluster cluster, String nodeId) {
    Config config = readXml(cluster.hazelcastConfig());
    config.setClassLoader(HazelcastSetup.class.getClassLoader());
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(cluster.maxNoHeartbeatSeconds()));
    if (config.getProperty("hazelcast.heartbeat.interval.seconds") == null) {
      config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    }
    config.getMemberAttributeConfig().setAttribute(ClusterMembership.NODE_ATTRIBUTE, nodeId);
    NetworkConfig network = config.getNetworkConfig();
    if (cluster.port() != 0) {
      network.setPort(cluster.port()).setPortAutoIncrement(false);
    }
    if (!cluster.host().isEmpty()) {
      InterfacesConfig interfaces = network.getInterfaces().clear().setEnabled(true);
      interfaces.addInterface(cluster.host());
    }
    if (!cluster.members().isEmpty()) {
      JoinConfig join = network.getJoin();
      join.getMulticastConfig().setEnabled(false);
      join.getAutoDetectionConfig().setEnabled(false);
      TcpIpConfig tcp = join.getTcpIpConfig().setEnabled(true).clear();
      cluster.members().forEach(tcp::addMember);
    }
    return config;
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
