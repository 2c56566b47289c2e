package io.switchboard.relay.allocation;

import java.net.InetAddress;

/** Lets datagrams from and to one peer IP address through an allocation, for {@link Lifetimes#PERMISSION}. */
public final class Permission {

  private final InetAddress peer;
  private long expiresAtNanos;

  Permission(InetAddress peer, long nowNanos) {
    this.peer = peer;
    refresh(nowNanos);
  }

  public InetAddress peer() {
    return peer;
  }

  void refresh(long nowNanos) {
    expiresAtNanos = nowNanos + Lifetimes.PERMISSION.toNanos();
  }

  public boolean expired(long nowNanos) {
    return nowNanos - expiresAtNanos >= 0;
  }
}
