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

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * CreatePermission (RFC 8656 section 10) and ChannelBind (section 11): the peer policy first, then the
 * address family, then the per-allocation bounds.
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
    StunMessage message = request.message();
    List<InetAddress> peers = new ArrayList<>();
    for (int i = 0; i < message.attributeCount(); i++) {
      if (message.attributeType(i) == AttributeType.XOR_PEER_ADDRESS) {
        peers.add(XorAddress.readAt(message, i).getAddress());
      }
    }
    if (peers.isEmpty()) {
      responder.error(request, StunError.BAD_REQUEST);
      return;
    }
    // the peer policy first: a refused address is 403 whatever its family
    for (InetAddress peer : peers) {
      if (!services.peerPolicy().allowed(peer)) {
        events.peerRefused(allocation, peer);
        responder.error(request, StunError.FORBIDDEN);
        return;
      }
    }
    for (InetAddress peer : peers) {
      if (!sameFamily(peer, allocation)) {
        responder.error(request, StunError.PEER_ADDRESS_FAMILY_MISMATCH);
        return;
      }
    }
    int room = Lifetimes.MAX_PERMISSIONS_PER_ALLOCATION - allocation.permissionCount();
    long fresh = peers.stream().distinct().filter(p -> !allocation.hasPermissionEntry(p)).count();
    if (fresh > room) {
      responder.error(request, StunError.INSUFFICIENT_CAPACITY);
      return;
    }
    for (InetAddress peer : peers) {
      if (allocation.permit(peer, request.nowNanos()) == Allocation.PermitResult.CREATED) {
        events.permissionCreated(allocation, peer);
      }
    }
    MessageWriter writer = MessageWriter.answer(responder.buffer(96), message, MessageClass.SUCCESS);
    responder.signAndSend(writer, request.auth(), request.client());
  }

  /** Whether {@code peer} has the family of the allocation's relayed address (else 443, or a dropped Send). */
  static boolean sameFamily(InetAddress peer, Allocation allocation) {
    return (peer instanceof Inet4Address) == (allocation.relayedAddress().getAddress() instanceof Inet4Address);
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
    if (number < 0 || !ChannelNumber.valid(number) || peer == null) {
      responder.error(request, StunError.BAD_REQUEST);
      return;
    }
    if (!services.peerPolicy().allowed(peer)) {
      events.peerRefused(allocation, peer.getAddress());
      responder.error(request, StunError.FORBIDDEN);
      return;
    }
    if (!sameFamily(peer.getAddress(), allocation)) {
      responder.error(request, StunError.PEER_ADDRESS_FAMILY_MISMATCH);
      return;
    }
    if (!allocation.hasPermissionEntry(peer.getAddress())
      && allocation.permissionCount() >= Lifetimes.MAX_PERMISSIONS_PER_ALLOCATION) {
      responder.error(request, StunError.INSUFFICIENT_CAPACITY);
      return;
    }
    switch (allocation.bind(number, peer, request.nowNanos())) {
      case CONFLICT -> {
        responder.error(request, StunError.BAD_REQUEST);
        return;
      }
      case TOO_MANY -> {
        responder.error(request, StunError.INSUFFICIENT_CAPACITY);
        return;
      }
      case CREATED -> events.channelBound(allocation, number, peer);
      case REFRESHED -> {
      }
    }
    if (allocation.permit(peer.getAddress(), request.nowNanos()) == Allocation.PermitResult.CREATED) {
      events.permissionCreated(allocation, peer.getAddress());
    }
    MessageWriter writer = MessageWriter.answer(responder.buffer(96), message, MessageClass.SUCCESS);
    responder.signAndSend(writer, request.auth(), request.client());
  }
}
