package io.switchboard.relay.proto;

/**
 * DONT-FRAGMENT (RFC 8656 section 18.8): no value. Accepted: this server never fragments what it relays beyond
 * what the kernel does for a datagram, and the RFC lets a server that cannot set DF on its sockets accept it.
 */
public final class DontFragment {

  private DontFragment() {
  }

  public static boolean present(StunMessage message) {
    int index = message.find(AttributeType.DONT_FRAGMENT);
    if (index >= 0 && message.valueLength(index) != 0) {
      throw new MalformedMessageException("DONT-FRAGMENT has no value");
    }
    return index >= 0;
  }

  public static void write(MessageWriter writer) {
    writer.header(AttributeType.DONT_FRAGMENT, 0);
    writer.pad(0);
  }
}
