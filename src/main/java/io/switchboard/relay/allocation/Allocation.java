package io.switchboard.relay.allocation;

import io.netty.channel.Channel;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * One client's relayed transport address (RFC 8656 section 2.2) — or two, an IPv4 and an IPv6 one, for a dual
 * allocation (section 7.2, ADDITIONAL-ADDRESS-FAMILY): its relay socket per family, lifetime, permissions and
 * channel bindings. A peer is reached from the relay socket of its own family. Lives on one event loop: every
 * method is called from that loop only.
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
  /** The relay socket and relayed address of each family; null where the allocation has none of that family. */
  private Channel relay4;
  private InetSocketAddress relayed4;
  private Channel relay6;
  private InetSocketAddress relayed6;
  private long expiresAtNanos;
  private byte[] successResponse;
  private boolean closed;
  /** The owner's cluster-wide count includes this allocation (admitted by the cluster quota, not yet released). */
  private boolean clusterCounted;
  // ---- usage, for the per-room TURN accounting: plain fields, counted on this allocation's event loop ----
  /** The room the credential was issued for, once looked up; null before, or when it was issued for none. */
  private String room;
  /** When the allocation went live (monotonic nanoseconds); its duration counts from here. */
  private long liveSinceNanos;
  /** When it ended, for an answer about its room that comes after that. */
  private long usageEndedNanos;
  /** Application data relayed (without TURN framing), client to peers and peers to client. */
  private long bytesToPeers;
  private long bytesFromPeers;

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

  /**
   * Called once a relay socket is bound, for the family of {@code relayedAddress}; until the first one the allocation
   * is pending. The sockets of a dual allocation are attached one after the other in the same event-loop task.
   */
  public void relayBound(Channel relay, InetSocketAddress relayedAddress) {
    if (relayedAddress.getAddress() instanceof Inet4Address) {
      relay4 = relay;
      relayed4 = relayedAddress;
    } else {
      relay6 = relay;
      relayed6 = relayedAddress;
    }
  }

  public boolean pending() {
    return relay4 == null && relay6 == null;
  }

  /** The relay socket towards {@code peer}: the one of the peer's family, or null when the allocation has none. */
  public Channel relayFor(InetAddress peer) {
    return peer instanceof Inet4Address ? relay4 : relay6;
  }

  /** Whether the allocation has a relayed address of {@code peer}'s family (else 443, or a dropped Send). */
  public boolean relaysFamilyOf(InetAddress peer) {
    return relayFor(peer) != null;
  }

  /** The relayed address of the given family, or null. */
  public InetSocketAddress relayedAddress(boolean ipv6) {
    return ipv6 ? relayed6 : relayed4;
  }

  /** The first relayed address: the IPv4 one when there is one (the RFC's default family), else the IPv6 one. */
  public InetSocketAddress relayedAddress() {
    return relayed4 != null ? relayed4 : relayed6;
  }

  /** Whether the allocation holds both an IPv4 and an IPv6 relayed address. */
  public boolean dual() {
    return relay4 != null && relay6 != null;
  }

  /**
   * Gives up the relayed address of one family of a dual allocation (RFC 8656 section 8: a Refresh with
   * REQUESTED-ADDRESS-FAMILY and LIFETIME 0): its socket closes (giving back its port), and the permissions and
   * channels of that family go, since nothing could be relayed through them any more.
   */
  public void dropFamily(boolean ipv6) {
    Channel relay = ipv6 ? relay6 : relay4;
    if (ipv6) {
      relay6 = null;
      relayed6 = null;
    } else {
      relay4 = null;
      relayed4 = null;
    }
    if (relay != null) {
      relay.close();
    }
    permissions.keySet().removeIf(peer -> (peer instanceof Inet4Address) != ipv6);
    int kept = 0;
    for (int i = 0; i < channelCount; i++) {
      ChannelBinding binding = channels[i];
      if ((binding.peer().getAddress() instanceof Inet4Address) != ipv6) {
        channelsByPeer.remove(binding.peer(), binding);
      } else {
        channels[kept++] = binding;
      }
    }
    clearFrom(kept);
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

  public boolean clusterCounted() {
    return clusterCounted;
  }

  public void clusterCounted(boolean counted) {
    this.clusterCounted = counted;
  }

  /**
   * Marks the allocation closed, closes its relay sockets and tells the client side (a stream connection then ends);
   * returns false when it already was.
   */
  public boolean close() {
    if (closed) {
      return false;
    }
    closed = true;
    if (relay4 != null) {
      relay4.close();
    }
    if (relay6 != null) {
      relay6.close();
    }
    if (relay4 != null || relay6 != null) {
      client.allocationEnded();
    }
    return true;
  }

  // ---- usage ----

  /** The allocation went live at {@code nowNanos}: its allocation time counts from here. */
  public void liveSince(long nowNanos) {
    liveSinceNanos = nowNanos;
  }

  public long liveSinceNanos() {
    return liveSinceNanos;
  }

  /** The allocation ended at {@code nowNanos}. */
  public void usageEnded(long nowNanos) {
    usageEndedNanos = nowNanos;
  }

  public long usageEndedNanos() {
    return usageEndedNanos;
  }

  public String room() {
    return room;
  }

  public void room(String room) {
    this.room = room;
  }

  /** {@code bytes} of application data went to a peer. */
  public void countToPeer(int bytes) {
    bytesToPeers += bytes;
  }

  /** {@code bytes} of application data came from a peer to the client. */
  public void countFromPeer(int bytes) {
    bytesFromPeers += bytes;
  }

  public long bytesToPeers() {
    return bytesToPeers;
  }

  public long bytesFromPeers() {
    return bytesFromPeers;
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
    clearFrom(kept);
  }

  /** Forgets the channel slots from {@code kept} on, after the ones before it were compacted. */
  private void clearFrom(int kept) {
    for (int i = kept; i < channelCount; i++) {
      channels[i] = null;
    }
    channelCount = kept;
  }

  @Override
  public String toString() {
    return "allocation " + fiveTuple + " relayed at " + (dual() ? relayed4 + " and " + relayed6 : relayedAddress());
  }
}
