package io.switchboard.relay.allocation;

import java.util.Locale;

/**
 * How a client reaches the relay (RFC 8656 section 3.1): datagrams on the UDP listener, or a stream connection over
 * TCP or TLS. The relayed transport towards peers is UDP in every case.
 */
public enum ClientTransport {
  UDP, TCP, TLS;

  /** True for the stream transports, where messages are framed back to back and ChannelData is padded. */
  public boolean stream() {
    return this != UDP;
  }

  /** The name used in metric labels and logs. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
