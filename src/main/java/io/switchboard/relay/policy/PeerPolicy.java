package io.switchboard.relay.policy;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Which peers a relay may send to and receive from (CreatePermission, ChannelBind, Send). */
public interface PeerPolicy {

  /** The address alone: permissions are per address (RFC 8656 section 9). */
  boolean allowed(InetAddress peer);

  /** The address and the port: where data is sent (ChannelBind, Send). */
  default boolean allowed(InetSocketAddress peer) {
    return allowed(peer.getAddress());
  }
}
