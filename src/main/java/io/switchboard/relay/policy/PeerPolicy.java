package io.switchboard.relay.policy;

import java.net.InetAddress;

/** Which peer addresses a relay may send to and receive from (CreatePermission, ChannelBind, Send). */
public interface PeerPolicy {

  boolean allowed(InetAddress peer);
}
