package io.switchboard.relay.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.metrics.RelayMetrics;
import io.switchboard.relay.allocation.ClientTransport;
import io.switchboard.relay.policy.ClusterQuota;
import io.switchboard.relay.policy.CountingQuota;
import io.switchboard.relay.policy.IpRangePeerPolicy;
import io.switchboard.relay.policy.RangePortAllocator;
import io.switchboard.relay.policy.TurnRestAuthenticator;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.StreamStunClient;
import io.switchboard.testing.StunClient;
import io.switchboard.testing.TestCertificates;
import io.switchboard.testing.TestPorts;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one call a listener built elsewhere (one TLS port for HTTPS and TURN) makes to hand a connection to the relay:
 * here a listener of the test's own, on the relay instance's event loop, does the TLS handshake, reads the first
 * bytes as a protocol sniffer would, calls {@link TurnStreams#attach} and passes those bytes on. The client then
 * allocates and relays as on the relay's own TLS port.
 */
@DisplayName("relay: a TLS connection accepted elsewhere, handed over with TurnStreams.attach")
@Timeout(60)
class TurnStreamsAttachTest {

  private static final String USER = "attach-user";
  private static final String PASSWORD = "AttachPassword0123456789abcdefghijklmnopqrstuvw";

  @Test
  @DisplayName("handshake and sniff elsewhere, attach, re-fire the sniffed bytes: Allocate, ChannelBind, relaying")
  void attachAfterSniffing() throws Exception {
    RelayServices services = services(TestPorts.freeUdpBlock(8));
    TestCertificates.Member member = TestCertificates.newAuthority("attach").member("localhost");
    SslContext tls = SslContextBuilder.forServer(member.cert().toFile(), member.key().toFile()).build();
    Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(1)).build();
    Channel listener = null;
    try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      RelayVerticle relay = new RelayVerticle(services, 0);
      vertx.deployVerticle(relay).await(20, TimeUnit.SECONDS);
      int port = TestPorts.freePort();
      // the "one port" listener: TLS first, then a sniffer that decides on the first bytes
      ChannelFuture bound = new ServerBootstrap().group(relay.eventLoop(), relay.eventLoop())
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            channel.pipeline().addLast(tls.newHandler(channel.alloc())).addLast(new Sniffer(relay.turnStreams()));
          }
        }).bind(InetAddress.getLoopbackAddress(), port).sync();
      listener = bound.channel();
      peer.setSoTimeout(3000);

      try (StreamStunClient client = StreamStunClient.tls(port).credentials(USER, PASSWORD)) {
        StunClient.Response allocated = client.request(Method.ALLOCATE,
          w -> RequestedTransport.write(w, RequestedTransport.UDP));
        assertEquals(0, allocated.errorCode());
        assertEquals(0, client.request(Method.CHANNEL_BIND, w -> {
          ChannelNumber.write(w, 0x4000);
          XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, (InetSocketAddress) peer.getLocalSocketAddress());
        }).errorCode());
        byte[] out = "through the shared port".getBytes(StandardCharsets.UTF_8);
        client.sendChannelData(0x4000, out);
        DatagramPacket received = new DatagramPacket(new byte[256], 256);
        peer.receive(received);
        assertArrayEquals(out, Arrays.copyOf(received.getData(), received.getLength()));
        peer.send(new DatagramPacket(out, out.length, allocated.relayed()));
        byte[] back = client.receive();
        assertTrue(back != null && (back[0] & 0xC0) == 0x40);
        assertArrayEquals(out, Arrays.copyOfRange(back, 4, back.length));
        assertEquals(1, relay.eventLoop().submit(() -> relay.turnStreams().openConnections()).get(5, TimeUnit.SECONDS),
          "counted as one of the relay's own connections");
      }
    } finally {
      if (listener != null) {
        listener.close().sync();
      }
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  /** A relay on loopback with a static user and loopback peers allowed, listening on UDP {@code base} only. */
  private static RelayServices services(int base) {
    JsonObject json = ConfigLoader.builtInDefault().mergeIn(new JsonObject()
      .put("auth", new JsonObject().put("hs256Secrets", new JsonArray().add("hs256-attach-key-0123456789abcdefghijk")))
      .put("relay", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", base)
        .put("realm", "attach").put("minPort", base + 1).put("maxPort", base + 7)
        .put("staticUsers", new JsonArray().add(USER + ":" + PASSWORD))
        .put("allowedPeers", new JsonArray().add("127.0.0.0/8"))), true);
    SwitchboardConfig.Relay config = SwitchboardConfig.from(json).relay();
    Clock clock = Clock.systemUTC();
    RelayServices services = new RelayServices(config, new TurnRestAuthenticator(List.of(), config.staticUsers()),
      new IpRangePeerPolicy(config.allowedPeers(), config.deniedPeers()),
      new CountingQuota(config.maxAllocations(), config.maxAllocationsPerUser()),
      new RangePortAllocator(config.minPort(), config.maxPort()),
      new NonceService(config.nonceLifetimeSeconds(), () -> clock.millis() / 1000),
      new RelayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), 1), clock, System::nanoTime,
      ClusterQuota.none());
    return services;
  }

  /**
   * What a protocol sniffer does once it has seen TURN: attach, pass the bytes it read on to the handlers after
   * itself (the TURN handler attach just added), and leave the pipeline.
   */
  private static final class Sniffer extends ChannelInboundHandlerAdapter {

    private final TurnStreams streams;

    Sniffer(TurnStreams streams) {
      this.streams = streams;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf first = (ByteBuf) msg;
      // a real sniffer would look at first.getByte(first.readerIndex()) here and choose HTTP or TURN
      streams.attach(ctx.channel(), ClientTransport.TLS);
      ctx.fireChannelRead(first);
      ctx.pipeline().remove(this);
    }
  }
}
