package io.switchboard.relay.server;

import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.ClientTransport;
import io.switchboard.relay.proto.StunError;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/** Several {@link RelayEvents} as one, called in order; an array and index loops, so no iterator per datagram. */
final class CompositeRelayEvents implements RelayEvents {

  private final RelayEvents[] list;

  CompositeRelayEvents(List<RelayEvents> hooks) {
    this.list = hooks.toArray(new RelayEvents[0]);
  }

  @Override
  public void allocationCreated(Allocation allocation) {
    for (int i = 0; i < list.length; i++) {
      list[i].allocationCreated(allocation);
    }
  }

  @Override
  public void allocationDeleted(Allocation allocation, DeleteReason reason) {
    for (int i = 0; i < list.length; i++) {
      list[i].allocationDeleted(allocation, reason);
    }
  }

  @Override
  public void credentialRevoked() {
    for (int i = 0; i < list.length; i++) {
      list[i].credentialRevoked();
    }
  }

  @Override
  public void permissionCreated(Allocation allocation, InetAddress peer) {
    for (int i = 0; i < list.length; i++) {
      list[i].permissionCreated(allocation, peer);
    }
  }

  @Override
  public void channelBound(Allocation allocation, int number, InetSocketAddress peer) {
    for (int i = 0; i < list.length; i++) {
      list[i].channelBound(allocation, number, peer);
    }
  }

  @Override
  public void peerRefused(Allocation allocation, InetAddress peer) {
    for (int i = 0; i < list.length; i++) {
      list[i].peerRefused(allocation, peer);
    }
  }

  @Override
  public void quotaReached() {
    for (int i = 0; i < list.length; i++) {
      list[i].quotaReached();
    }
  }

  @Override
  public void challenged() {
    for (int i = 0; i < list.length; i++) {
      list[i].challenged();
    }
  }

  @Override
  public void authFailure(AuthFailure reason, InetSocketAddress client) {
    for (int i = 0; i < list.length; i++) {
      list[i].authFailure(reason, client);
    }
  }

  @Override
  public void errorAnswered(StunError error) {
    for (int i = 0; i < list.length; i++) {
      list[i].errorAnswered(error);
    }
  }

  @Override
  public void relayed(Direction direction, int bytes) {
    for (int i = 0; i < list.length; i++) {
      list[i].relayed(direction, bytes);
    }
  }

  @Override
  public void dropped(Drop reason) {
    for (int i = 0; i < list.length; i++) {
      list[i].dropped(reason);
    }
  }

  @Override
  public void listenerDatagram(int instance) {
    for (int i = 0; i < list.length; i++) {
      list[i].listenerDatagram(instance);
    }
  }

  @Override
  public void streamOpened(ClientTransport transport) {
    for (int i = 0; i < list.length; i++) {
      list[i].streamOpened(transport);
    }
  }

  @Override
  public void streamClosed(ClientTransport transport, StreamClose reason) {
    for (int i = 0; i < list.length; i++) {
      list[i].streamClosed(transport, reason);
    }
  }
}
