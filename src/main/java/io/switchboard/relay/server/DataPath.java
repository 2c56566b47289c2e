package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.ChannelBinding;
import io.switchboard.relay.allocation.ClientPath;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.BufferCopy;
import io.switchboard.relay.proto.ChannelData;
import io.switchboard.relay.proto.Data;
import io.switchboard.relay.proto.MalformedMessageException;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.XorAddress;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Relayed data both ways: Send indications and ChannelData from clients to peers, and datagrams from peers to
 * clients (as ChannelData on a bound channel, else as a Data indication); the bandwidth cap and back-pressure
 * checks; and write batching, flushed once per read batch. Towards a stream client (TCP, TLS) ChannelData is padded
 * to a multiple of four bytes (RFC 8656 section 12.5) and a connection that cannot take more is a dropped datagram,
 * as a full socket buffer is. This is the hot path: keep it free of lambdas,
 * iterators, slices and other per-datagram objects (docs/relay.md, "Performance", has the JFR measurement).
 */
final class DataPath {

  private static final System.Logger LOG = System.getLogger(DataPath.class.getName());

  /** Writes collected before they are flushed even within one read batch. */
  private static final int MAX_DIRTY = 64;

  private final RelayServices services;
  private final RelayEvents events;
  /** Channels written to since the last flush; a list, scanned by index, so marking allocates nothing. */
  private final List<Channel> dirty = new ArrayList<>();
  /** Reused for each Data indication's transaction id (everything runs on one event loop). */
  private final byte[] indicationId = new byte[StunMessage.TRANSACTION_ID_LENGTH];

  DataPath(RelayServices services) {
    this.services = services;
    this.events = services.events();
  }

  // ---- relaying: client to peer ----

  /** A Send indication (RFC 8656 section 11.2) from the client of {@code allocation} (null: it has none). */
  void sendIndication(StunMessage message, Allocation allocation, long now) {
    if (message.unknownComprehensionRequired().length > 0) {
      events.dropped(RelayEvents.Drop.MALFORMED); // RFC 8489 section 6.3.2: an indication is silently ignored
      return;
    }
    if (!live(allocation)) {
      return;
    }
    InetSocketAddress peer;
    int data;
    try {
      peer = XorAddress.read(message, AttributeType.XOR_PEER_ADDRESS);
      data = Data.find(message);
    } catch (MalformedMessageException e) {
      events.dropped(RelayEvents.Drop.MALFORMED);
      return;
    }
    if (peer == null || data < 0 || !allocation.relaysFamilyOf(peer.getAddress())) {
      events.dropped(RelayEvents.Drop.MALFORMED);
      return;
    }
    if (permitted(allocation, peer, now)) {
      toPeer(allocation, message.buffer(), message.valueOffset(data), message.valueLength(data), peer, now);
    }
  }

  /**
   * ChannelData (RFC 8656 section 12.6) from the client of {@code allocation} (null: it has none); {@code buf} holds
   * this one message, without stream padding.
   */
  void channelDataFromClient(ByteBuf buf, Allocation allocation, long now) {
    if (!live(allocation)) {
      return;
    }
    int number = ChannelData.channel(buf);
    if (number < 0) {
      events.dropped(RelayEvents.Drop.MALFORMED);
      return;
    }
    ChannelBinding binding = allocation.channel(number, now);
    if (binding == null) {
      events.dropped(RelayEvents.Drop.NO_CHANNEL);
      return;
    }
    if (!allocation.permitted(binding.peer().getAddress(), now)) {
      events.dropped(RelayEvents.Drop.NO_PERMISSION);
      return;
    }
    toPeer(allocation, buf, buf.readerIndex() + ChannelData.HEADER_LENGTH, ChannelData.dataLength(buf),
      binding.peer(), now);
  }

  /** True when the allocation exists and its relay socket is bound; otherwise counted. */
  private boolean live(Allocation allocation) {
    if (allocation == null || allocation.pending()) {
      events.dropped(RelayEvents.Drop.NO_ALLOCATION);
      return false;
    }
    return true;
  }

  /** A Send indication's peer: the peer policy, then the allocation's permission; false (and counted) if refused. */
  private boolean permitted(Allocation allocation, InetSocketAddress peer, long now) {
    if (!services.peerPolicy().allowed(peer)) {
      events.dropped(RelayEvents.Drop.PEER_REFUSED);
      return false;
    }
    if (!allocation.permitted(peer.getAddress(), now)) {
      events.dropped(RelayEvents.Drop.NO_PERMISSION);
      return false;
    }
    return true;
  }

  /**
   * Writes {@code [offset, offset + length)} of the received buffer to {@code peer} from the relay socket of the
   * peer's family (a dual allocation has two) if the allocation admits it.
   */
  private void toPeer(Allocation allocation, ByteBuf received, int offset, int length, InetSocketAddress peer,
                      long now) {
    Channel relay = allocation.relayFor(peer.getAddress());
    if (relay == null) {
      // a channel to a family given up by a Refresh since (its bindings went with it): nothing to send it from
      events.dropped(RelayEvents.Drop.NO_CHANNEL);
      return;
    }
    if (admit(allocation, relay, length, now)) {
      relay.write(new DatagramPacket(narrowed(received, offset, length), peer), relay.voidPromise());
      markDirty(relay);
      allocation.countToPeer(length);
      events.relayed(RelayEvents.Direction.CLIENT_TO_PEER, length);
    }
  }

  /**
   * The received buffer itself, retained and narrowed to {@code [offset, offset + length)}: forwarded without a
   * copy and without even a slice object. The caller must not read the buffer afterwards (the handler only
   * releases it).
   */
  private static ByteBuf narrowed(ByteBuf received, int offset, int length) {
    return received.retain().setIndex(offset, offset + length);
  }

  /** Bandwidth cap and back-pressure: false (and counted) when the datagram must be dropped. */
  private boolean admit(Allocation allocation, Channel out, int length, long now) {
    if (!allocation.bandwidth().tryTake(length, now)) {
      events.dropped(RelayEvents.Drop.BANDWIDTH);
      return false;
    }
    if (!out.isWritable()) {
      events.dropped(RelayEvents.Drop.BACKPRESSURE);
      return false;
    }
    return true;
  }

  // ---- relaying: peer to client ----

  /** The handler of {@code allocation}'s relay socket (one per allocation, made when the socket is). */
  ChannelInboundHandlerAdapter peerHandler(Allocation allocation) {
    return new PeerHandler(allocation);
  }

  private final class PeerHandler extends ChannelInboundHandlerAdapter {

    private final Allocation allocation;

    PeerHandler(Allocation allocation) {
      this.allocation = allocation;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DatagramPacket packet = (DatagramPacket) msg;
      try {
        fromPeer(allocation, packet.content(), packet.sender());
      } catch (RuntimeException e) {
        events.dropped(RelayEvents.Drop.INTERNAL_ERROR);
        LOG.log(System.Logger.Level.WARNING, "relay: datagram from peer " + packet.sender() + " failed", e);
      } finally {
        packet.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      flushDirty();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.log(System.Logger.Level.DEBUG, "relay socket of {0}: {1}", allocation, cause.toString());
    }
  }

  private void fromPeer(Allocation allocation, ByteBuf data, InetSocketAddress peer) {
    long now = services.nanoClock().getAsLong();
    if (allocation.closed()) {
      return;
    }
    if (!allocation.permitted(peer.getAddress(), now)) {
      events.dropped(RelayEvents.Drop.NO_PERMISSION);
      return;
    }
    int length = data.readableBytes();
    ClientPath client = allocation.client();
    Channel out = client.channel();
    if (!admit(allocation, out, length, now)) {
      return;
    }
    ChannelBinding binding = allocation.channelFor(peer, now);
    ByteBuf message;
    if (binding != null) {
      // RFC 8656 section 12.5: padded to a multiple of four bytes on TCP and TLS, not on UDP
      int padding = client.transport().stream() ? -length & 3 : 0;
      message = out.alloc().ioBuffer(ChannelData.HEADER_LENGTH + length + padding);
      ChannelData.writeHeader(message, binding.number(), length);
      BufferCopy.append(message, data, data.readerIndex(), length);
      message.writeZero(padding);
    } else {
      // Data indication (RFC 8656 section 11.6): XOR-PEER-ADDRESS and DATA, a fresh transaction id
      ThreadLocalRandom.current().nextBytes(indicationId);
      message = out.alloc().ioBuffer(StunMessage.HEADER_LENGTH + 24 + 4 + length + 3);
      MessageWriter writer = MessageWriter.start(message, Method.DATA, MessageClass.INDICATION, indicationId);
      XorAddress.write(writer, AttributeType.XOR_PEER_ADDRESS, peer);
      Data.write(writer, data, data.readerIndex(), length);
    }
    out.write(client.frame(message), out.voidPromise());
    markDirty(out);
    allocation.countFromPeer(length);
    events.relayed(RelayEvents.Direction.PEER_TO_CLIENT, length);
  }

  // ---- write batching ----

  private void markDirty(Channel channel) {
    if (!dirty.contains(channel)) {
      dirty.add(channel);
      if (dirty.size() >= MAX_DIRTY) {
        flushDirty();
      }
    }
  }

  /** Flushes every channel written to since the last flush; called when a read batch ends. */
  void flushDirty() {
    for (int i = 0; i < dirty.size(); i++) {
      dirty.get(i).flush();
    }
    dirty.clear();
  }
}
