package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.AllocationManager;
import io.switchboard.relay.allocation.ClientTransport;
import io.switchboard.relay.proto.ChannelData;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * TURN over TCP and TLS (RFC 8656 section 3.1) for one relay instance: takes accepted client connections
 * ({@link #attach}), keeps their limits (per instance, per source address), and hands their messages to the same
 * dispatch and data path as UDP, so authentication, nonces, quotas, the unauthenticated budget and the peer policy
 * are the same. Everything runs on the instance's event loop: its allocations stay single-threaded.
 *
 * <p>{@link #attach} is public for a listener built elsewhere (one TLS port shared with HTTPS): any channel that is
 * accepted, registered on this instance's event loop and past its TLS handshake (or with its SslHandler still in
 * the pipeline) can be handed over.
 */
public final class TurnStreams {

  /**
   * Bytes queued towards one client before relayed data to it is dropped (counted as back-pressure) and the
   * connection stops being read: a few hundred full-size datagrams, never an unbounded queue.
   */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

  private final RelayServices services;
  private final RelayEvents events;
  private final AllocationManager allocations;
  private final MessageDispatch dispatch;
  private final DataPath dataPath;
  private final AllocationRequests allocationRequests;
  private final long authTimeoutMillis;
  private final int maxConnections;
  private final int maxPerAddress;
  /** Open connections, for the limits and for closing them at shutdown. */
  private final Set<StreamConnection> open = new LinkedHashSet<>();
  private final Map<InetAddress, Integer> perAddress = new HashMap<>();

  TurnStreams(RelayServices services, AllocationManager allocations, MessageDispatch dispatch, DataPath dataPath,
              AllocationRequests allocationRequests) {
    this.services = services;
    this.events = services.events();
    this.allocations = allocations;
    this.dispatch = dispatch;
    this.dataPath = dataPath;
    this.allocationRequests = allocationRequests;
    var streams = services.config().streams();
    this.authTimeoutMillis = streams.authTimeoutSeconds() * 1000L;
    this.maxConnections = streams.maxConnections();
    this.maxPerAddress = streams.maxConnectionsPerAddress();
  }

  /**
   * Serves TURN on {@code channel}, a client's connection accepted by any listener: adds the TURN handler at the
   * end of its pipeline and starts the authentication timer (from this call: a listener that completes the TLS
   * handshake first must bound the handshake itself). Call it on this relay instance's event loop, with the channel
   * registered there. A protocol sniffer that has read the first bytes calls this, then passes those bytes on with
   * its own {@code ctx.fireChannelRead(bytes)} (so they reach the TURN handler after it, not the TLS handler before
   * it) and removes itself; {@code TurnStreamsAttachTest} does exactly that. A connection beyond the limits is
   * closed at once (counted); returns whether it was taken.
   *
   * @param transport {@link ClientTransport#TCP} or {@link ClientTransport#TLS}: the label it is counted under and
   *                  part of its allocation's five-tuple
   */
  public boolean attach(Channel channel, ClientTransport transport) {
    if (!transport.stream()) {
      throw new IllegalArgumentException("a stream connection is TCP or TLS, not " + transport);
    }
    if (!channel.eventLoop().inEventLoop()) {
      throw new IllegalStateException("attach on the relay instance's event loop, with the channel registered there");
    }
    if (!(channel.remoteAddress() instanceof InetSocketAddress remote)) {
      channel.close(); // gone before it was handed over
      return false;
    }
    events.streamOpened(transport);
    InetAddress source = remote.getAddress();
    RelayEvents.StreamClose refusal = open.size() >= maxConnections ? RelayEvents.StreamClose.CONNECTION_LIMIT
      : perAddress.getOrDefault(source, 0) >= maxPerAddress ? RelayEvents.StreamClose.ADDRESS_LIMIT : null;
    if (refusal != null) {
      events.streamClosed(transport, refusal);
      channel.close();
      return false;
    }
    perAddress.merge(source, 1, Integer::sum);
    StreamConnection connection = new StreamConnection(this, channel, transport);
    open.add(connection);
    channel.config().setWriteBufferWaterMark(WATER_MARK);
    channel.pipeline().addLast("turn", connection);
    connection.start(authTimeoutMillis);
    return true;
  }

  /** Connections open on this instance now. */
  public int openConnections() {
    return open.size();
  }

  RelayEvents events() {
    return events;
  }

  /** One message from a connection, exactly its bytes (without stream padding). */
  void fromClient(ByteBuf message, StreamConnection connection) {
    long now = services.nanoClock().getAsLong();
    if (ChannelData.looksLikeChannelData(message)) {
      dataPath.channelDataFromClient(message, allocations.of(connection), now);
    } else {
      dispatch.stun(message, connection, now);
    }
  }

  /** A connection's read batch ended: relayed datagrams go out together. */
  void flush() {
    dataPath.flushDirty();
  }

  /** A connection closed: its allocation goes with it (RFC 8656 section 3.1), then it is counted. */
  void ended(StreamConnection connection, RelayEvents.StreamClose reason) {
    if (!open.remove(connection)) {
      return;
    }
    InetAddress source = connection.address().getAddress();
    perAddress.computeIfPresent(source, (a, n) -> n > 1 ? n - 1 : null);
    Allocation allocation = allocations.of(connection);
    if (allocation != null) {
      allocationRequests.delete(allocation, reason == RelayEvents.StreamClose.SHUTDOWN
        ? RelayEvents.DeleteReason.SHUTDOWN : RelayEvents.DeleteReason.CONNECTION_CLOSED);
    }
    events.streamClosed(connection.transport(), reason);
  }

  /** Closes every connection (the relay is stopping); their allocations are deleted as shut down. */
  void closeAll() {
    for (StreamConnection connection : new ArrayList<>(open)) {
      connection.close(RelayEvents.StreamClose.SHUTDOWN);
    }
  }
}
