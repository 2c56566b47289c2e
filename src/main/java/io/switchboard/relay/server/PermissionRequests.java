package io.switchboard.relay.server;

import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.Lifetimes;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.StunError;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.XorAddress;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * CreatePermission (RFC 8656 section 10) and ChannelBind (section 11): the peer policy first, then the
 * address family (a peer of a family the allocation has no relayed address in is 443), then the per-allocation
 * bounds.
 */
final class PermissionRequests {

  private final RelayServices services;
  private final RelayEvents events;
  private final AllocationRequests allocationRequests;
  private final Responder responder;

  PermissionRequests(RelayServices services, AllocationRequests allocationRequests, Responder responder) {
    this.services = services;
    this.events = services.events();
    this.allocationRequests = allocationRequests;
    this.responder = responder;
  }

  // ---- CreatePermission (RFC 8656 section 10) ----

  void createPermission(TurnRequest request) {
    Allocation allocation = allocationRequests.allocationFor(request);
    if (allocation == null) {
      return;
    }
    List<InetAddress> peers = peerAddresses(request.message());
    StunError refusal = peers.isEmpty() ? StunError.BAD_REQUEST : refusePeers(allocation, peers);
    if (refusal != null) {
      responder.error(request, refusal);
      return;
    }
    for (InetAddress peer : peers) {
      if (allocation.permit(peer, request.nowNanos()) == Allocation.PermitResult.CREATED) {
        events.permissionCreated(allocation, peer);
      }
    }
    MessageWriter writer = MessageWriter.answer(responder.buffer(96), request.message(), MessageClass.SUCCESS);
    responder.signAndSend(writer, request.auth(), request.client());
  }

  /** Every XOR-PEER-ADDRESS of a CreatePermission, in order. */
  private static List<InetAddress> peerAddresses(StunMessage message) {
    List<InetAddress> peers = new ArrayList<>();
    for (int i = 0; i < message.attributeCount(); i++) {
      if (message.attributeType(i) == AttributeType.XOR_PEER_ADDRESS) {
        peers.add(XorAddress.readAt(message, i).getAddress());
      }
    }
    return peers;
  }

  /**
   * The error a CreatePermission for {@code peers} is answered with, or null when all of them may be permitted:
   * the peer policy first (a refused address is 403 whatever its family), then the family (443), then the
   * permissions left to the allocation (508).
   */
  private StunError refusePeers(Allocation allocation, List<InetAddress> peers) {
    for (InetAddress peer : peers) {
      if (!services.peerPolicy().allowed(peer)) {
        events.peerRefused(allocation, peer);
        return StunError.FORBIDDEN;
      }
    }
    // a dual allocation takes peers of both families, each reached from the relayed address of its own
    if (!peers.stream().allMatch(allocation::relaysFamilyOf)) {
      return StunError.PEER_ADDRESS_FAMILY_MISMATCH;
    }
    int room = Lifetimes.MAX_PERMISSIONS_PER_ALLOCATION - allocation.permissionCount();
    long fresh = peers.stream().distinct().filter(p -> !allocation.hasPermissionEntry(p)).count();
    return fresh > room ? StunError.INSUFFICIENT_CAPACITY : null;
  }

  // ---- ChannelBind (RFC 8656 section 11) ----

  void channelBind(TurnRequest request) {
    Allocation allocation = allocationRequests.allocationFor(request);
    if (allocation == null) {
      return;
    }
    StunMessage message = request.message();
    int number = ChannelNumber.read(message);
    InetSocketAddress peer = XorAddress.read(message, AttributeType.XOR_PEER_ADDRESS);
    StunError refusal = number < 0 || !ChannelNumber.valid(number) || peer == null ? StunError.BAD_REQUEST
      : refuseChannelPeer(allocation, peer);
    if (refusal == null) {
      refusal = bind(allocation, number, peer, request.nowNanos());
    }
    if (refusal != null) {
      responder.error(request, refusal);
      return;
    }
    if (allocation.permit(peer.getAddress(), request.nowNanos()) == Allocation.PermitResult.CREATED) {
      events.permissionCreated(allocation, peer.getAddress());
    }
    MessageWriter writer = MessageWriter.answer(responder.buffer(96), message, MessageClass.SUCCESS);
    responder.signAndSend(writer, request.auth(), request.client());
  }

  /**
   * The error a ChannelBind to {@code peer} is answered with before anything is bound, or null: the peer policy
   * (403), the family (443), and room for the permission the binding installs (508).
   */
  private StunError refuseChannelPeer(Allocation allocation, InetSocketAddress peer) {
    if (!services.peerPolicy().allowed(peer)) {
      events.peerRefused(allocation, peer.getAddress());
      return StunError.FORBIDDEN;
    }
    if (!allocation.relaysFamilyOf(peer.getAddress())) {
      return StunError.PEER_ADDRESS_FAMILY_MISMATCH;
    }
    if (!allocation.hasPermissionEntry(peer.getAddress())
      && allocation.permissionCount() >= Lifetimes.MAX_PERMISSIONS_PER_ALLOCATION) {
      return StunError.INSUFFICIENT_CAPACITY;
    }
    return null;
  }

  /** Binds or refreshes the channel; null when done, else the error: bound otherwise (400) or no room (508). */
  private StunError bind(Allocation allocation, int number, InetSocketAddress peer, long nowNanos) {
    return switch (allocation.bind(number, peer, nowNanos)) {
      case CONFLICT -> StunError.BAD_REQUEST;
      case TOO_MANY -> StunError.INSUFFICIENT_CAPACITY;
      case CREATED -> {
        events.channelBound(allocation, number, peer);
        yield null;
      }
      case REFRESHED -> null;
    };
  }
}
