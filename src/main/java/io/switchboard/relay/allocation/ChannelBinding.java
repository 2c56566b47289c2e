package io.switchboard.relay.allocation;

import java.net.InetSocketAddress;

/** A channel number bound to one peer transport address, for {@link Lifetimes#CHANNEL}. */
public final class ChannelBinding {

  private final int number;
  private final InetSocketAddress peer;
  private long expiresAtNanos;

  ChannelBinding(int number, InetSocketAddress peer, long nowNanos) {
    this.number = number;
    this.peer = peer;
    refresh(nowNanos);
  }

  public int number() {
    return number;
  }

  public InetSocketAddress peer() {
    return peer;
  }

  void refresh(long nowNanos) {
    expiresAtNanos = nowNanos + Lifetimes.CHANNEL.toNanos();
  }

  public boolean expired(long nowNanos) {
    return nowNanos - expiresAtNanos >= 0;
  }
}
