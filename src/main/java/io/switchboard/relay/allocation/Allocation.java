package io.switchboard.relay.allocation;

import io.netty.channel.Channel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * One client's relayed transport address (RFC 8656 section 2.2): its relay socket, lifetime, permissions and
 * channel bindings. Lives on one event loop: every method is called from that loop only.
 */
public final class Allocation {

  /** The outcome of binding a channel. */
  public enum BindResult { CREATED, REFRESHED, TOO_MANY, CONFLICT }

  /** The outcome of installing a permission. */
  public enum PermitResult { CREATED, REFRESHED, TOO_MANY }

  private final ClientPath client;
  private final FiveTuple fiveTuple;
  private final String username;
  private final String owner;
  private final byte[] transactionId;
  private final long refreshDeadlineEpochSeconds;
  private final Bandwidth bandwidth;
  private final Map<InetAddress, Permission> permissions = new HashMap<>();
  private final ChannelBinding[] channels = new ChannelBinding[Lifetimes.MAX_CHANNELS_PER_ALLOCATION];
  private int channelCount;
  private final Map<InetSocketAddress, ChannelBinding> channelsByPeer = new HashMap<>();
  private Channel relay;
  private InetSocketAddress relayedAddress;
  private long expiresAtNanos;
  private byte[] successResponse;
  private boolean closed;
  /** The owner's cluster-wide count includes this allocation (admitted by the cluster quota, not yet released). */
  private boolean clusterCounted;

  /**
   * @param client the client side of the five-tuple, and the way answers and data go back to it
   * @param owner whom the allocation counts against in quotas (the credential's owner)
   * @param transactionId the Allocate request's, so a retransmission gets the same answer
   * @param refreshDeadlineEpochSeconds refreshes cannot extend the allocation past this (credential expiry plus
   *                                    the maximum lifetime; {@link Long#MAX_VALUE} for static users)
   */
  public Allocation(ClientPath client, String username, String owner, byte[] transactionId,
                    long refreshDeadlineEpochSeconds, Bandwidth bandwidth) {
    this.client = client;
    this.fiveTuple = client.fiveTuple();
    this.username = username;
    this.owner = owner;
    this.transactionId = transactionId.clone();
    this.refreshDeadlineEpochSeconds = refreshDeadlineEpochSeconds;
    this.bandwidth = bandwidth;
  }

  public FiveTuple fiveTuple() {
    return fiveTuple;
  }

  public ClientPath client() {
    return client;
  }

  public String username() {
    return username;
  }

  public String owner() {
    return owner;
  }

  public byte[] transactionId() {
    return transactionId;
  }

  public long refreshDeadlineEpochSeconds() {
    return refreshDeadlineEpochSeconds;
  }

  public Bandwidth bandwidth() {
    return bandwidth;
  }

  /** Called once the relay socket is bound; until then the allocation is pending. */
  public void relayBound(Channel relay, InetSocketAddress relayedAddress) {
    this.relay = relay;
    this.relayedAddress = relayedAddress;
  }

  public boolean pending() {
    return relay == null;
  }

  public Channel relay() {
    return relay;
  }

  public InetSocketAddress relayedAddress() {
    return relayedAddress;
  }

  public void expiresIn(long seconds, long nowNanos) {
    expiresAtNanos = nowNanos + seconds * 1_000_000_000L;
  }

  public boolean expired(long nowNanos) {
    return nowNanos - expiresAtNanos >= 0;
  }

  public byte[] successResponse() {
    return successResponse;
  }

  public void successResponse(byte[] response) {
    this.successResponse = response;
  }

  public boolean closed() {
    return closed;
  }

  /** Marks the allocation closed and closes its relay socket; returns false when it already was. */
  public boolean clusterCounted() {
    return clusterCounted;
  }

  public void clusterCounted(boolean counted) {
    this.clusterCounted = counted;
  }

  public boolean close() {
    if (closed) {
      return false;
    }
    closed = true;
    if (relay != null) {
      relay.close();
      client.allocationEnded();
    }
    return true;
  }

  // ---- permissions ----

  /** Installs or refreshes the permission for {@code peer}. */
  public PermitResult permit(InetAddress peer, long nowNanos) {
    Permission existing = permissions.get(peer);
    if (existing != null) {
      existing.refresh(nowNanos);
      return PermitResult.REFRESHED;
    }
    if (permissions.size() >= Lifetimes.MAX_PERMISSIONS_PER_ALLOCATION) {
      return PermitResult.TOO_MANY;
    }
    permissions.put(peer, new Permission(peer, nowNanos));
    return PermitResult.CREATED;
  }

  public boolean permitted(InetAddress peer, long nowNanos) {
    Permission permission = permissions.get(peer);
    return permission != null && !permission.expired(nowNanos);
  }

  public boolean hasPermissionEntry(InetAddress peer) {
    return permissions.containsKey(peer);
  }

  public int permissionCount() {
    return permissions.size();
  }

  // ---- channels ----

  /**
   * Binds {@code number} to {@code peer}, or refreshes the binding; a number bound to another peer, or a peer bound
   * to another number, is a {@link BindResult#CONFLICT} (400).
   */
  public BindResult bind(int number, InetSocketAddress peer, long nowNanos) {
    ChannelBinding byNumber = find(number);
    ChannelBinding byPeer = channelsByPeer.get(peer);
    if (byNumber != null || byPeer != null) {
      if (byNumber != byPeer) {
        return BindResult.CONFLICT;
      }
      byNumber.refresh(nowNanos);
      return BindResult.REFRESHED;
    }
    if (channelCount >= Lifetimes.MAX_CHANNELS_PER_ALLOCATION) {
      return BindResult.TOO_MANY;
    }
    ChannelBinding binding = new ChannelBinding(number, peer, nowNanos);
    channels[channelCount++] = binding;
    channelsByPeer.put(peer, binding);
    return BindResult.CREATED;
  }

  /** The live binding of channel {@code number}, or null. A linear scan: an allocation has a few channels. */
  public ChannelBinding channel(int number, long nowNanos) {
    ChannelBinding binding = find(number);
    return binding == null || binding.expired(nowNanos) ? null : binding;
  }

  private ChannelBinding find(int number) {
    for (int i = 0; i < channelCount; i++) {
      if (channels[i].number() == number) {
        return channels[i];
      }
    }
    return null;
  }

  /** The live binding for {@code peer}, or null. */
  public ChannelBinding channelFor(InetSocketAddress peer, long nowNanos) {
    ChannelBinding binding = channelsByPeer.get(peer);
    return binding == null || binding.expired(nowNanos) ? null : binding;
  }

  public int channelCount() {
    return channelsByPeer.size();
  }

  /** Drops expired permissions and channel bindings. */
  public void sweep(long nowNanos) {
    permissions.values().removeIf(p -> p.expired(nowNanos));
    int kept = 0;
    for (int i = 0; i < channelCount; i++) {
      ChannelBinding binding = channels[i];
      if (binding.expired(nowNanos)) {
        channelsByPeer.remove(binding.peer(), binding);
      } else {
        channels[kept++] = binding;
      }
    }
    for (int i = kept; i < channelCount; i++) {
      channels[i] = null;
    }
    channelCount = kept;
  }

  @Override
  public String toString() {
    return "allocation " + fiveTuple + " relayed at " + relayedAddress;
  }
}
