package io.switchboard.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.metrics.RelayMetrics;
import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.AllocationManager;
import io.switchboard.relay.allocation.Lifetimes;
import io.switchboard.relay.policy.CountingQuota;
import io.switchboard.relay.policy.IpRangePeerPolicy;
import io.switchboard.relay.policy.RangePortAllocator;
import io.switchboard.relay.policy.TurnRestAuthenticator;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelData;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Data;
import io.switchboard.relay.proto.DontFragment;
import io.switchboard.relay.proto.ErrorCodeAttribute;
import io.switchboard.relay.proto.EvenPort;
import io.switchboard.relay.proto.Fingerprint;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.LongTermKey;
import io.switchboard.relay.proto.MalformedMessageException;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageIntegrity;
import io.switchboard.relay.proto.MessageIntegritySha256;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.Nonce;
import io.switchboard.relay.proto.PasswordAlgorithm;
import io.switchboard.relay.proto.PasswordAlgorithms;
import io.switchboard.relay.proto.Realm;
import io.switchboard.relay.proto.RequestedAddressFamily;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.ReservationToken;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.Username;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.relay.server.LoggingRelayEvents;
import io.switchboard.relay.server.NonceService;
import io.switchboard.relay.server.RelayEvents;
import io.switchboard.relay.server.RelayServices;
import io.switchboard.relay.server.RelayVerticle;
import io.switchboard.ice.IceServers;
import io.switchboard.testing.StunClient;
import io.switchboard.testing.TestPorts;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz target 2: stateful sequences against one live {@link RelayVerticle}, over real UDP on loopback, the way
 * coturn's fuzzers were extended from single messages to sequences. The input is a program: each operation is one
 * byte plus its operands ({@link Op}), read from the input until it runs out. Operations: Binding, Allocate
 * without and with credentials (transport, LIFETIME, EVEN-PORT, RESERVATION-TOKEN, address family,
 * DONT-FRAGMENT, an extra attribute), Refresh, CreatePermission, ChannelBind, Send, ChannelData (right and wrong
 * lengths and channels), data from peers, garbage datagrams, signed requests then mutated (bit flips, cuts,
 * length fields, corrupted MESSAGE-INTEGRITY, dropped FINGERPRINT), switching credentials (fresh REST user,
 * static user, expired, wrong password, another user's) and nonces, up to three clients, retransmissions,
 * MESSAGE-INTEGRITY-SHA256 with good and bad PASSWORD-ALGORITHM(S). Each operation waits for what the relay
 * answers: a Binding sent right behind it from the same socket is answered after it, on the same event loop.
 *
 * <p>One relay per run (starting one per input would be far too slow); each input gets fresh client sockets and
 * fresh REST user names, and deletes what it allocated at the end, so inputs do not see each other's state.
 *
 * <p>Invariants, and what each protects:
 * <ul>
 *   <li>every datagram the relay sends a client is well formed: ChannelData with a valid channel, a Data
 *       indication, or STUN with a valid FINGERPRINT whose non-Binding successes are signed with the client's key
 *       (no unsigned or mis-signed authenticated answer; no garbage sent to anyone);</li>
 *   <li>after every sequence a fresh client's Binding is answered, and a separate healthy allocation still
 *       relays both ways to its peer (a hostile client cannot take the relay or another allocation down);</li>
 *   <li>{@code switchboard_turn_dropped_total{reason="internal_error"}} stays 0 and nothing is logged at WARNING:
 *       no exception escapes a handler;</li>
 *   <li>allocations never exceed the quotas (total and per user), nor permissions and channels their bounds, and
 *       quota, allocations and relay ports agree; once the clients delete their allocations only the healthy one
 *       is left, and the ports in use are its port plus the ports held for RESERVATION-TOKENs (no leaks).</li>
 * </ul>
 *
 * <p>Peers live on 127.13.37.1 and .2, the only addresses the relay may relay to here (everything else is denied),
 * so nothing the fuzzer makes reaches another process on this machine.
 */
@DisplayName("fuzz: operation sequences against a live relay over UDP")
class RelaySequenceFuzzTest {

  static final String REALM = "switchboard-fuzz";
  static final String TURN_KEY = "turn-fuzz-key-0123456789abcdefghijklmnopqrstuvwxyz";
  static final String STATIC_USER = "static-fuzz";
  static final String STATIC_PASSWORD = "StaticFuzz0123456789abcdefghijklmnopqrstuvwxyz";
  static final int MAX_ALLOCATIONS = 12;
  static final int MAX_PER_USER = 3;
  /** Listener port plus relay ports. */
  private static final int BLOCK = 40;
  /** Operations per input at most. */
  private static final int MAX_OPS = 40;
  private static final int TIMEOUT_MILLIS = 2000;
  /** The healthy allocation refreshes its lifetime, permission and channel this often. */
  private static final long HEALTHY_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** Operation codes: an input is a list of these, each followed by its operands. */
  static final class Op {
    static final int BINDING = 0;
    static final int ALLOCATE_UNAUTHENTICATED = 1;
    static final int ALLOCATE = 2;
    static final int REFRESH = 3;
    static final int PERMISSION = 4;
    static final int CHANNEL_BIND = 5;
    static final int SEND = 6;
    static final int CHANNEL_DATA = 7;
    static final int FROM_PEER = 8;
    static final int GARBAGE = 9;
    static final int MUTATED = 10;
    static final int CREDENTIALS = 11;
    static final int CLIENT = 12;
    static final int RETRANSMIT = 13;
    static final int INTEGRITY = 14;
    static final int NONCE = 15;
    static final int COUNT = 16;

    private Op() {
    }
  }

  private static final FuzzStats STATS = new FuzzStats(RelaySequenceFuzzTest.class, "sequence");
  private static final InetAddress PEER_HOST = address("127.13.37.1");
  private static final InetAddress HEALTHY_PEER_HOST = address("127.13.37.2");

  private static Vertx vertx;
  private static RelayVerticle relay;
  private static RelayServices services;
  private static CountingQuota quota;
  private static RangePortAllocator ports;
  private static PrometheusMeterRegistry registry;
  private static Counter internalErrors;
  private static Context loop;
  private static Field allocationsField;
  private static Map<?, ?> reserved;
  private static int relayPort;
  private static int minPort;
  private static int maxPort;
  private static DatagramSocket peerA;
  private static DatagramSocket peerB;
  private static Healthy healthy;
  private static final Warnings WARNINGS = new Warnings();
  /** Held so the handler stays attached (JUL keeps loggers weakly). */
  private static final Logger SWITCHBOARD_LOGGER = Logger.getLogger("io.switchboard");
  private static long users;
  private static long transactions;

  @BeforeAll
  static void start() throws Exception {
    SWITCHBOARD_LOGGER.addHandler(WARNINGS);
    int base = TestPorts.freeUdpBlock(BLOCK);
    relayPort = base;
    minPort = base + 1;
    maxPort = base + BLOCK - 1;
    JsonObject json = ConfigLoader.builtInDefault().mergeIn(new JsonObject()
      .put("auth", new JsonObject().put("hs256Secrets", new JsonArray().add("hs256-fuzz-key-0123456789abcdefghijkl")))
      .put("ice", new JsonObject().put("turnSecrets", new JsonArray().add(TURN_KEY)))
      .put("relay", new JsonObject()
        .put("enabled", true).put("host", "127.0.0.1").put("port", relayPort).put("realm", REALM)
        .put("minPort", minPort).put("maxPort", maxPort)
        .put("maxAllocations", MAX_ALLOCATIONS).put("maxAllocationsPerUser", MAX_PER_USER)
        .put("staticUsers", new JsonArray().add(STATIC_USER + ":" + STATIC_PASSWORD))
        // only the peers of this test: nothing the fuzzer writes may reach another address or process
        .put("allowedPeers", new JsonArray().add("127.13.37.0/30"))
        .put("deniedPeers", new JsonArray().add("0.0.0.0/0").add("::/0"))
        // every client here is 127.0.0.1: the unauthenticated budget must not be what the fuzzer explores
        .put("unauthorizedPerSecond", 100_000).put("unauthorizedBurst", 1_000_000)
        .put("nonceLifetimeSeconds", 86400)), true);
    SwitchboardConfig.Relay config = SwitchboardConfig.from(json).relay();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RelayEvents events = RelayEvents.all(List.of(new RelayMetrics(registry, 1), new LoggingRelayEvents()));
    quota = new CountingQuota(config.maxAllocations(), config.maxAllocationsPerUser());
    ports = new RangePortAllocator(config.minPort(), config.maxPort());
    Clock clock = Clock.systemUTC();
    services = new RelayServices(config, new TurnRestAuthenticator(List.of(TURN_KEY), config.staticUsers()),
      new IpRangePeerPolicy(config.allowedPeers(), config.deniedPeers()), quota, ports,
      new NonceService(config.nonceLifetimeSeconds(), () -> clock.millis() / 1000), events, clock,
      System::nanoTime, io.switchboard.relay.policy.ClusterQuota.none());
    internalErrors = registry.get("switchboard.turn.dropped").tag("reason", "internal_error").counter();
    // one event loop: the relay and every look at its state (onLoop) run on the same thread
    vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true)).build();
    relay = new RelayVerticle(services, 0);
    vertx.deployVerticle(relay).await(20, TimeUnit.SECONDS);
    loop = vertx.getOrCreateContext();
    allocationsField = RelayVerticle.class.getDeclaredField("allocations");
    allocationsField.setAccessible(true);
    Object held = services.reservations();
    Field byToken = held.getClass().getDeclaredField("byToken");
    byToken.setAccessible(true);
    reserved = (Map<?, ?>) byToken.get(held);
    peerA = socket(PEER_HOST);
    peerB = socket(PEER_HOST);
    healthy = new Healthy();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      STATS.checkFuzzed();
      // the series as Prometheus exposes it, once at the end (the counter is read directly per input)
      String line = registry.scrape().lines()
        .filter(l -> l.startsWith("switchboard_turn_dropped_total{reason=\"internal_error\""))
        .findFirst().orElseThrow(() -> new AssertionError("no internal_error series in the relay's metrics"));
      assertTrue(line.endsWith(" 0.0"), line);
    } finally {
      if (healthy != null) {
        healthy.close();
      }
      for (DatagramSocket s : new DatagramSocket[]{peerA, peerB}) {
        if (s != null) {
          s.close();
        }
      }
      if (vertx != null) {
        vertx.close().await(20, TimeUnit.SECONDS);
      }
      SWITCHBOARD_LOGGER.removeHandler(WARNINGS);
    }
  }

  @FuzzTest(maxDuration = "15s")
  void sequence(byte[] program) {
    STATS.executed();
    healthy.refreshWhenDue();
    Sequence sequence = new Sequence(new Input(program));
    try {
      sequence.run();
      Snapshot during = Snapshot.take();
      during.checkBounds(sequence);
      sequence.deleteAllocations();
    } finally {
      sequence.close();
    }
    Snapshot after = Snapshot.take();
    after.checkBounds(sequence);
    assertEquals(1, after.allocations.size(), sequence.trace("allocations left after every client deleted its own: "
      + after.allocations));
    // a held port keeps a unit of its owner's quota until it is taken or lapses
    assertEquals(1 + after.reservations, after.quota,
      sequence.trace("quota in use after clean-up, with " + after.reservations + " reserved"));
    assertEquals(1 + after.reservations, after.portsInUse,
      sequence.trace("relay ports in use after clean-up, with " + after.reservations + " reserved"));
    checkNoInternalErrors(sequence);
    freshBinding(sequence);
    healthy.relaysBothWays(sequence);
    checkNoInternalErrors(sequence);
  }

  private static void checkNoInternalErrors(Sequence sequence) {
    if (internalErrors.count() != 0 || !WARNINGS.records.isEmpty()) {
      LogRecord first = WARNINGS.records.isEmpty() ? null : WARNINGS.records.get(0);
      AssertionError error = new AssertionError(sequence.trace("relay internal errors: " + internalErrors.count()
        + (first == null ? "" : ", first warning: " + first.getLoggerName() + ": " + first.getMessage())));
      if (first != null && first.getThrown() != null) {
        error.initCause(first.getThrown());
      }
      throw error;
    }
  }

  /** A client that never took part in the sequence still gets its Binding answered. */
  private static void freshBinding(Sequence sequence) {
    try (StunClient client = new StunClient(relayPort)) {
      StunClient.Response response = client.send(StunClient.build(Method.BINDING, MessageClass.REQUEST,
        StunClient.newTransactionId(), w -> { }));
      StunMessage m = response.message();
      assertTrue(m.is(Method.BINDING, MessageClass.SUCCESS), sequence.trace("fresh Binding answered " + m));
      assertEquals(client.localAddress(), XorAddress.read(m, AttributeType.XOR_MAPPED_ADDRESS));
    } catch (AssertionError e) {
      throw new AssertionError(sequence.trace("a fresh Binding request was not answered: " + e.getMessage()), e);
    }
  }

  // ---- the relay's state, read on its event loop ----

  /** Allocations, quota, ports and reservations at one moment. */
  private record Snapshot(List<AllocationState> allocations, int quota, int portsInUse, int reservations) {

    static Snapshot take() {
      return onLoop(() -> {
        AllocationManager manager;
        try {
          manager = (AllocationManager) allocationsField.get(relay);
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
        List<AllocationState> list = new ArrayList<>();
        for (Allocation a : manager.all()) {
          list.add(new AllocationState(a.fiveTuple().client(), a.username(), a.pending(), a.closed(),
            a.permissionCount(), a.channelCount()));
        }
        return new Snapshot(list, RelaySequenceFuzzTest.quota.total(), ports.inUse(), reserved.size());
      });
    }

    void checkBounds(Sequence sequence) {
      assertTrue(allocations.size() <= MAX_ALLOCATIONS, sequence.trace(allocations.size() + " allocations"));
      assertEquals(allocations.size() + reservations, quota,
        sequence.trace("quota in use vs allocations " + allocations + " and " + reservations + " reserved"));
      Map<String, Integer> perUser = new HashMap<>();
      for (AllocationState a : allocations) {
        assertTrue(!a.pending && !a.closed, sequence.trace("allocation left pending or closed: " + a));
        assertTrue(a.permissions <= Lifetimes.MAX_PERMISSIONS_PER_ALLOCATION, sequence.trace("permissions: " + a));
        assertTrue(a.channels <= Lifetimes.MAX_CHANNELS_PER_ALLOCATION, sequence.trace("channels: " + a));
        perUser.merge(a.username, 1, Integer::sum);
      }
      perUser.forEach((user, n) -> assertTrue(n <= MAX_PER_USER, sequence.trace(n + " allocations of " + user)));
      assertEquals(allocations.size() + reservations, portsInUse,
        sequence.trace("relay ports in use vs allocations " + allocations + " and " + reservations + " reserved"));
    }
  }

  private record AllocationState(InetSocketAddress client, String username, boolean pending, boolean closed,
                                 int permissions, int channels) {
  }

  private static <T> T onLoop(Supplier<T> read) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.runOnContext(v -> {
      try {
        result.complete(read.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    try {
      return result.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("the relay's event loop did not run a task within " + TIMEOUT_MILLIS + " ms", e);
    }
  }

  // ---- the input ----

  /** Reads operands from the input; past its end every read is 0. */
  static final class Input {
    private final byte[] data;
    private int pos;

    Input(byte[] data) {
      this.data = data;
    }

    boolean exhausted() {
      return pos >= data.length;
    }

    int u8() {
      return pos < data.length ? data[pos++] & 0xFF : 0;
    }

    int u16() {
      return (u8() << 8) | u8();
    }

    long u32() {
      return ((long) u16() << 16) | u16();
    }

    long u64() {
      return (u32() << 32) | u32();
    }

    byte[] bytes(int n) {
      byte[] out = new byte[n];
      for (int i = 0; i < n; i++) {
        out[i] = (byte) u8();
      }
      return out;
    }
  }

  /** A user name and password; keys are derived per realm and algorithm. */
  record Credentials(String username, String password) {

    byte[] md5() {
      return LongTermKey.md5(username, REALM, password);
    }

    byte[] sha256() {
      return LongTermKey.sha256(username, REALM, password);
    }
  }

  private static Credentials freshRestUser(long ttlSeconds) {
    String username = (System.currentTimeMillis() / 1000 + ttlSeconds) + ":fuzz-" + (++users);
    return new Credentials(username, IceServers.restCredential(TURN_KEY, username));
  }

  // ---- one input's clients and operations ----

  /** One client socket and what it learned. */
  /**
   * An Allocate's attributes. A lifetime or family below 0 is left out, and so is a null reservation token;
   * {@code evenPort} is 0 (none), 1 (R=0), 2 (R=1) or 3 (R=1 in four bytes: malformed).
   */
  private record AllocateAttributes(int transport, long lifetime, int evenPort, Long reservation, int family,
                                    boolean dontFragment, Consumer<MessageWriter> extra)
    implements Consumer<MessageWriter> {

    @Override
    public void accept(MessageWriter w) {
      RequestedTransport.write(w, transport);
      if (lifetime >= 0) {
        Lifetime.write(w, lifetime);
      }
      switch (evenPort) {
        case 1 -> EvenPort.write(w, false);
        case 2 -> EvenPort.write(w, true);
        case 3 -> w.attribute(AttributeType.EVEN_PORT, new byte[]{(byte) 0x80, 0, 0, 0});
        default -> {
        }
      }
      if (reservation != null) {
        ReservationToken.write(w, reservation);
      }
      if (family >= 0) {
        RequestedAddressFamily.write(w, family);
      }
      if (dontFragment) {
        DontFragment.write(w);
      }
      extra.accept(w);
    }
  }

  private static final class FuzzClient {
    final DatagramSocket socket = socket(InetAddress.getLoopbackAddress());
    Credentials credentials;
    /** Every credential this client signed with: its answers verify under one of them. */
    final List<Credentials> used = new ArrayList<>();
    String nonce;
    String realm = REALM;
    int integrity;
    byte[] lastRequest;
    Credentials allocatedWith;
    InetSocketAddress relayed;
    Long token;
    int channel = ChannelNumber.MIN;

    FuzzClient(Credentials credentials) {
      this.credentials = credentials;
    }

    InetSocketAddress address() {
      return (InetSocketAddress) socket.getLocalSocketAddress();
    }
  }

  private final class Sequence implements AutoCloseable {
    private final Input in;
    private final FuzzClient[] clients = new FuzzClient[3];
    private FuzzClient client;
    private final StringBuilder log = new StringBuilder();
    private final Runnable[] handlers = handlers();

    Sequence(Input in) {
      this.in = in;
      clients[0] = new FuzzClient(freshRestUser(3600));
      client = clients[0];
    }

    String trace(String message) {
      return message + "\n  sequence:" + log;
    }

    void run() {
      for (int ops = 0; ops < MAX_OPS && !in.exhausted(); ops++) {
        int op = in.u8() % Op.COUNT;
        log.append(' ').append(op);
        handlers[op].run();
      }
    }

    /** What each op does, by its code ({@link Op}); each handler reads its own operands from the input. */
    private Runnable[] handlers() {
      Runnable[] table = new Runnable[Op.COUNT];
      table[Op.BINDING] = () -> exchange(build(Method.BINDING, MessageClass.REQUEST, extra()));
      table[Op.ALLOCATE_UNAUTHENTICATED] = () -> exchange(build(Method.ALLOCATE, MessageClass.REQUEST,
        w -> RequestedTransport.write(w, RequestedTransport.UDP)));
      table[Op.ALLOCATE] = () -> signedRequest(Method.ALLOCATE, allocateAttributes(in.u8()));
      table[Op.REFRESH] = this::refresh;
      table[Op.PERMISSION] = this::permission;
      table[Op.CHANNEL_BIND] = this::channelBind;
      table[Op.SEND] = this::sendIndication;
      table[Op.CHANNEL_DATA] = () -> exchange(channelData());
      table[Op.FROM_PEER] = this::fromPeer;
      table[Op.GARBAGE] = () -> exchange(garbage());
      table[Op.MUTATED] = this::mutated;
      table[Op.CREDENTIALS] = () -> client.credentials = credentials(in.u8());
      table[Op.CLIENT] = this::switchClient;
      table[Op.RETRANSMIT] = this::retransmit;
      table[Op.INTEGRITY] = () -> client.integrity = in.u8() % 4;
      table[Op.NONCE] = () -> nonce(in.u8() % 4);
      return table;
    }

    private void refresh() {
      int flags = in.u8();
      long lifetime = (flags & 1) != 0 ? lifetime(in.u8()) : -1;
      Consumer<MessageWriter> extra = (flags & 0x80) != 0 ? extra() : w -> { };
      signedRequest(Method.REFRESH, w -> {
        if (lifetime >= 0) {
          Lifetime.write(w, lifetime);
        }
        extra.accept(w);
      });
    }

    private void permission() {
      int[] peers = new int[1 + in.u8() % 3];
      for (int i = 0; i < peers.length; i++) {
        peers[i] = in.u8();
      }
      signedRequest(Method.CREATE_PERMISSION, w -> {
        for (int peer : peers) {
          writePeer(w, peer);
        }
      });
    }

    private void channelBind() {
      int number = channel(in.u8());
      int peer = in.u8();
      int flags = in.u8();
      Consumer<MessageWriter> extra = (flags & 0x80) != 0 ? extra() : w -> { };
      client.channel = number;
      signedRequest(Method.CHANNEL_BIND, w -> {
        if ((flags & 1) == 0) {
          ChannelNumber.write(w, number);
        }
        if ((flags & 2) == 0) {
          writePeer(w, peer);
        }
        extra.accept(w);
      });
    }

    private void sendIndication() {
      int peer = in.u8();
      byte[] payload = in.bytes(in.u8());
      int flags = in.u8();
      Consumer<MessageWriter> extra = (flags & 0x80) != 0 ? extra() : w -> { };
      exchange(build(Method.SEND, MessageClass.INDICATION, w -> {
        if ((flags & 1) == 0) {
          writePeer(w, peer);
        }
        if ((flags & 2) == 0) {
          Data.write(w, Unpooled.wrappedBuffer(payload), 0, payload.length);
        }
        extra.accept(w);
      }));
    }

    /** The next ops come from another of the three clients (a new one on first use). */
    private void switchClient() {
      int index = in.u8() % clients.length;
      if (clients[index] == null) {
        clients[index] = new FuzzClient(freshRestUser(3600));
      }
      client = clients[index];
    }

    private void retransmit() {
      if (client.lastRequest != null) {
        exchange(client.lastRequest);
      }
    }

    // -- requests --

    /** An Allocate's attributes: read from the input now, in this order, written when the message is built. */
    private Consumer<MessageWriter> allocateAttributes(int flags) {
      long lifetime = (flags & 1) != 0 ? lifetime(in.u8()) : -1;
      int evenPort = (flags >> 1) & 3;
      Long reservation = (flags & 8) != 0 ? reservationToken() : null;
      int family = (flags & 0x10) != 0 ? in.u8() : -1;
      int transport = (flags & 0x40) != 0 ? in.u8() : RequestedTransport.UDP;
      Consumer<MessageWriter> extra = (flags & 0x80) != 0 ? extra() : w -> { };
      return new AllocateAttributes(transport, lifetime, evenPort, reservation, family, (flags & 0x20) != 0, extra);
    }

    /** The last RESERVATION-TOKEN an answer carried, or one made up. */
    private Long reservationToken() {
      return in.u8() == 0 && client.token != null ? client.token : Long.valueOf(in.u64());
    }

    /** An attribute of a type and value read from the input now, written when the message is built. */
    private Consumer<MessageWriter> extra() {
      int read = in.u16();
      byte[] value = in.bytes(in.u8() % 64);
      // those three are the signer's: a fuzzed one before them would only mean "malformed"
      int type = read == AttributeType.MESSAGE_INTEGRITY || read == AttributeType.MESSAGE_INTEGRITY_SHA256
        || read == AttributeType.FINGERPRINT ? read ^ 0x4000 : read;
      return w -> w.attribute(type, value);
    }

    private long lifetime(int choice) {
      return switch (choice) {
        case 0 -> 0;
        case 1 -> 1;
        case 2 -> 600;
        case 3 -> 3600;
        case 4 -> 0xFFFFFFFFL;
        case 5 -> 86401;
        default -> in.u32();
      };
    }

    private int channel(int choice) {
      if (choice == 0) {
        return client.channel;
      }
      if (choice < 0x80) {
        return ChannelNumber.MIN + choice;
      }
      return switch (choice) {
        case 0x80 -> ChannelNumber.MIN - 1;
        case 0x81 -> ChannelNumber.MAX + 1;
        case 0x82 -> ChannelNumber.MAX;
        case 0x83 -> 0x5000;
        case 0x84 -> 0xFFFF;
        default -> in.u16();
      };
    }

    /**
     * A peer: the test's peers (allowed, or the healthy allocation's), its IPv4-mapped form, or addresses the
     * policy refuses (private, the relay itself, IPv6). Never an allowed address at a port that is not ours.
     */
    private void writePeer(MessageWriter w, int choice) {
      switch (choice % 8) {
        case 0 -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, local(peerA));
        case 1 -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, local(peerB));
        case 2 -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, healthy.peerAddress());
        case 3 -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress(address("10.0.0.1"), 9));
        case 4 -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress(address("::1"), 9));
        case 5 -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress(address("2001:db8::1"), 9));
        case 6 -> XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS,
          new InetSocketAddress(InetAddress.getLoopbackAddress(), relayPort));
        default -> mappedPeer(w, local(peerA));
      }
    }

    /** XOR-PEER-ADDRESS in IPv6 form carrying an IPv4 address (::ffff:a.b.c.d). */
    private void mappedPeer(MessageWriter w, InetSocketAddress peer) {
      byte[] v4 = peer.getAddress().getAddress();
      byte[] v6 = new byte[16];
      v6[10] = (byte) 0xFF;
      v6[11] = (byte) 0xFF;
      System.arraycopy(v4, 0, v6, 12, 4);
      byte[] value = new byte[20];
      value[1] = XorAddress.FAMILY_IPV6;
      int port = peer.getPort() ^ (StunMessage.MAGIC_COOKIE >>> 16);
      value[2] = (byte) (port >> 8);
      value[3] = (byte) port;
      // cookie, then the transaction id: bytes 4-19 of the message header
      byte[] header = new byte[16];
      w.buffer().getBytes(w.start() + 4, header);
      for (int i = 0; i < 16; i++) {
        value[4 + i] = (byte) (v6[i] ^ header[i]);
      }
      w.attribute(AttributeType.XOR_PEER_ADDRESS, value);
    }

    private Credentials credentials(int choice) {
      return switch (choice % 7) {
        case 0 -> freshRestUser(3600);
        case 1 -> new Credentials(STATIC_USER, STATIC_PASSWORD);
        case 2 -> freshRestUser(-10);
        case 3 -> new Credentials(freshRestUser(3600).username(), "wrong-password");
        case 4 -> healthy.credentials;
        case 5 -> {
          String username = "99999999999:fuzz-" + (++users);
          yield new Credentials(username, IceServers.restCredential(TURN_KEY, username));
        }
        default -> new Credentials("nobody-" + (++users), "nothing");
      };
    }

    private void nonce(int choice) {
      switch (choice) {
        case 0 -> client.nonce = null;
        case 1 -> client.nonce = "obMatJos2gAAA" + "00000000" + "0".repeat(24);
        case 2 -> client.realm = client.realm.equals(REALM) ? "other-realm" : REALM;
        default -> {
          for (FuzzClient other : clients) {
            if (other != null && other != client && other.nonce != null) {
              client.nonce = other.nonce;
            }
          }
        }
      }
    }

    /** Signed with the client's credentials, after a 401 teaches it realm and nonce; retried once on 438. */
    private void signedRequest(int method, Consumer<MessageWriter> attributes) {
      byte[] tid = transactionId();
      if (client.nonce == null) {
        exchange(build(method, MessageClass.REQUEST, tid, attributes));
        if (client.nonce == null) {
          return;
        }
        tid = transactionId();
      }
      int before = staleAnswers;
      exchange(signed(method, tid, attributes));
      if (staleAnswers > before) {
        exchange(signed(method, transactionId(), attributes));
      }
    }

    private byte[] signed(int method, byte[] tid, Consumer<MessageWriter> attributes) {
      Credentials c = client.credentials;
      if (!client.used.contains(c)) {
        client.used.add(c);
      }
      String realm = client.realm;
      String nonce = client.nonce;
      int integrity = client.integrity;
      return build(method, MessageClass.REQUEST, tid, w -> {
        attributes.accept(w);
        Username.write(w, c.username());
        Realm.write(w, realm);
        Nonce.write(w, nonce);
        switch (integrity) {
          case 1 -> {
            PasswordAlgorithms.write(w, new int[]{PasswordAlgorithm.MD5, PasswordAlgorithm.SHA256});
            PasswordAlgorithm.write(w, PasswordAlgorithm.SHA256);
            w.integritySha256(LongTermKey.sha256(c.username(), realm, c.password()));
          }
          case 2 -> {
            PasswordAlgorithms.write(w, new int[]{PasswordAlgorithm.SHA256});
            PasswordAlgorithm.write(w, PasswordAlgorithm.SHA256);
            w.integritySha256(LongTermKey.sha256(c.username(), realm, c.password()));
          }
          case 3 -> {
            byte[] key = LongTermKey.md5(c.username(), realm, c.password());
            w.integrity(key);
            w.integritySha256(key);
          }
          default -> w.integrity(LongTermKey.md5(c.username(), realm, c.password()));
        }
        w.fingerprint();
      });
    }

    private byte[] build(int method, MessageClass cls, Consumer<MessageWriter> body) {
      return build(method, cls, transactionId(), body);
    }

    private byte[] build(int method, MessageClass cls, byte[] tid, Consumer<MessageWriter> body) {
      byte[] request = StunClient.build(method, cls, tid, body);
      if (cls == MessageClass.REQUEST) {
        client.lastRequest = request;
      }
      return request;
    }

    private byte[] channelData() {
      int number = channel(in.u8());
      byte[] payload = in.bytes(in.u8());
      int mode = in.u8() % 5;
      int declared = switch (mode) {
        case 2 -> payload.length + 1 + in.u8() % 8;
        case 3 -> in.u16();
        default -> payload.length;
      };
      int padding = mode == 1 ? (4 - payload.length % 4) % 4 : 0;
      if (mode == 4) {
        return new byte[]{(byte) (number >> 8), (byte) number, 0};
      }
      byte[] out = new byte[ChannelData.HEADER_LENGTH + payload.length + padding];
      out[0] = (byte) (number >> 8);
      out[1] = (byte) number;
      out[2] = (byte) (declared >> 8);
      out[3] = (byte) declared;
      System.arraycopy(payload, 0, out, ChannelData.HEADER_LENGTH, payload.length);
      return out;
    }

    /** A peer sends to this client's relayed address, or to a relay port of the range. */
    private void fromPeer() {
      int choice = in.u8();
      byte[] payload = in.bytes(1 + in.u8() % 64);
      InetSocketAddress target = (choice & 1) == 0 && client.relayed != null ? client.relayed
        : new InetSocketAddress(InetAddress.getLoopbackAddress(), minPort + (choice >> 1) % (maxPort - minPort + 1));
      DatagramSocket from = (choice & 0x80) == 0 ? peerA : peerB;
      try {
        from.send(new DatagramPacket(payload, payload.length, target));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      exchange(null); // let the relay handle it before the next operation
    }

    private byte[] garbage() {
      byte[] bytes = in.bytes(in.u8());
      int mode = in.u8() % 3;
      if (mode == 1 && bytes.length >= StunMessage.HEADER_LENGTH) {
        // gets past looksLikeStun: zero bits, magic cookie, a length that matches
        bytes[0] &= 0x3F;
        int length = (bytes.length - StunMessage.HEADER_LENGTH) & ~3;
        bytes = Arrays.copyOf(bytes, StunMessage.HEADER_LENGTH + length);
        bytes[2] = (byte) (length >> 8);
        bytes[3] = (byte) length;
        bytes[4] = 0x21;
        bytes[5] = 0x12;
        bytes[6] = (byte) 0xA4;
        bytes[7] = 0x42;
      } else if (mode == 2 && bytes.length >= 1) {
        bytes[0] = (byte) (0x40 | (bytes[0] & 0x3F));
      }
      return bytes;
    }

    /** A signed request, then broken: one bit, a cut, the length field, appended bytes, its HMAC, its FINGERPRINT. */
    private void mutated() {
      int kind = in.u8() % 4;
      int mutation = in.u8() % 6;
      int operand = in.u16();
      if (client.nonce == null) {
        exchange(build(Method.ALLOCATE, MessageClass.REQUEST,
          w -> RequestedTransport.write(w, RequestedTransport.UDP)));
        if (client.nonce == null) {
          return;
        }
      }
      byte[] request = switch (kind) {
        case 0 -> signed(Method.ALLOCATE, transactionId(), w -> RequestedTransport.write(w, RequestedTransport.UDP));
        case 1 -> signed(Method.REFRESH, transactionId(), w -> Lifetime.write(w, 600));
        case 2 -> signed(Method.CREATE_PERMISSION, transactionId(), w -> writePeer(w, 0));
        default -> signed(Method.CHANNEL_BIND, transactionId(), w -> {
          ChannelNumber.write(w, client.channel);
          writePeer(w, 0);
        });
      };
      byte[] out = request.clone();
      switch (mutation) {
        case 0 -> {
          int bit = operand % (out.length * 8);
          out[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        case 1 -> out = Arrays.copyOf(out, operand % out.length);
        case 2 -> {
          out[2] = (byte) (operand >> 8);
          out[3] = (byte) operand;
        }
        case 3 -> {
          byte[] tail = in.bytes(operand % 64);
          out = Arrays.copyOf(out, out.length + tail.length);
          System.arraycopy(tail, 0, out, request.length, tail.length);
        }
        case 4 -> {
          // a byte of the HMAC (MESSAGE-INTEGRITY is 20 bytes before the 8-byte FINGERPRINT)
          int at = out.length - 8 - 1 - operand % 20;
          out[at] ^= (byte) (1 + operand % 255);
        }
        default -> {
          out = Arrays.copyOf(out, out.length - 8);
          int length = out.length - StunMessage.HEADER_LENGTH;
          out[2] = (byte) (length >> 8);
          out[3] = (byte) length;
        }
      }
      client.lastRequest = out;
      exchange(out);
    }

    // -- the wire --

    private int staleAnswers;

    /**
     * Sends {@code datagram} (unless null), then a Binding from the same socket, and handles everything that
     * arrives until the Binding's answer: the relay handles a client's datagrams in order on one event loop.
     */
    private void exchange(byte[] datagram) {
      DatagramSocket socket = client.socket;
      // a random id: the fuzzer must not be able to send a request whose answer looks like this one's
      byte[] sync = StunClient.build(Method.BINDING, MessageClass.REQUEST, StunClient.newTransactionId(), w -> { });
      send(socket, datagram);
      send(socket, sync);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
      while (true) {
        byte[] answer = receive(socket, deadline);
        if (answer == null) {
          fail(trace("no answer to a Binding within " + TIMEOUT_MILLIS + " ms: the relay stopped answering "
            + client.address()));
        }
        if (answer.length >= StunMessage.HEADER_LENGTH && Arrays.equals(answer, 8, 20, sync, 8, 20)) {
          checkBindingAnswer(answer);
          return;
        }
        handle(answer);
      }
    }

    private void checkBindingAnswer(byte[] answer) {
      StunMessage m = decodeAnswer(answer);
      assertTrue(m.is(Method.BINDING, MessageClass.SUCCESS), trace("Binding answered with " + m));
      assertEquals(client.address(), XorAddress.read(m, AttributeType.XOR_MAPPED_ADDRESS), trace("XOR-MAPPED-ADDRESS"));
    }

    /** Checks one datagram from the relay and learns from it (nonce, allocation, token). */
    private void handle(byte[] answer) {
      if (ChannelData.looksLikeChannelData(Unpooled.wrappedBuffer(answer))) {
        assertTrue(ChannelData.channel(Unpooled.wrappedBuffer(answer)) >= 0,
          trace("malformed ChannelData from the relay: " + hex(answer)));
        return;
      }
      StunMessage m = decodeAnswer(answer);
      if (m.is(Method.DATA, MessageClass.INDICATION)) {
        assertNotNull(XorAddress.read(m, AttributeType.XOR_PEER_ADDRESS), trace("Data indication without peer"));
        assertTrue(Data.find(m) >= 0, trace("Data indication without DATA"));
        return;
      }
      Credentials signer = checkAnswer(m, answer);
      if (m.messageClass() == MessageClass.ERROR) {
        learnFromError(m);
      } else if (m.method() == Method.ALLOCATE) {
        learnAllocation(m, signer);
      } else if (m.method() == Method.REFRESH && Lifetime.read(m) == 0) {
        client.allocatedWith = null;
        client.relayed = null;
      }
    }

    /**
     * An answer: with a valid FINGERPRINT, a success or an error, signed with a key of the client when it carries
     * integrity or answers an authenticated request.
     *
     * @return the credentials that signed it, or null
     */
    private Credentials checkAnswer(StunMessage m, byte[] answer) {
      assertTrue(Fingerprint.verify(m), trace("answer without a valid FINGERPRINT: " + m + " " + hex(answer)));
      MessageClass cls = m.messageClass();
      assertTrue(cls == MessageClass.SUCCESS || cls == MessageClass.ERROR, trace("the relay sent a " + m));
      Credentials signer = m.hasIntegrity() ? signer(m) : null;
      if (m.hasIntegrity() || (cls == MessageClass.SUCCESS && m.method() != Method.BINDING)) {
        assertNotNull(signer, trace("answer not signed with any key of the client: " + m));
      }
      return signer;
    }

    /** An error answer has an ERROR-CODE; a 401 or 438 teaches the client the nonce and realm. */
    private void learnFromError(StunMessage m) {
      ErrorCodeAttribute.Value error = ErrorCodeAttribute.read(m);
      assertNotNull(error, trace("error answer without ERROR-CODE: " + m));
      if (error.code() == 401 || error.code() == 438) {
        String nonce = Nonce.read(m);
        assertNotNull(nonce, trace(error.code() + " without NONCE"));
        assertEquals(REALM, Realm.read(m), trace(error.code() + " realm"));
        client.nonce = nonce;
        client.realm = REALM;
        if (error.code() == 438) {
          staleAnswers++;
        }
      }
    }

    /** An Allocate success: a relayed address in the port range, the client's mapped address, maybe a token. */
    private void learnAllocation(StunMessage m, Credentials signer) {
      client.allocatedWith = signer;
      client.relayed = XorAddress.read(m, AttributeType.XOR_RELAYED_ADDRESS);
      assertNotNull(client.relayed, trace("Allocate success without XOR-RELAYED-ADDRESS"));
      int port = client.relayed.getPort();
      assertTrue(port >= minPort && port <= maxPort, trace("relayed port " + port + " outside the range"));
      assertEquals(client.address(), XorAddress.read(m, AttributeType.XOR_MAPPED_ADDRESS), trace("mapped"));
      Long token = ReservationToken.read(m);
      if (token != null) {
        client.token = token;
        // the next client may take the reserved port
        for (FuzzClient other : clients) {
          if (other != null) {
            other.token = token;
          }
        }
      }
    }

    private Credentials signer(StunMessage m) {
      for (Credentials c : client.used) {
        if (MessageIntegrity.verify(m, c.md5()) || MessageIntegritySha256.verify(m, c.md5())
          || MessageIntegritySha256.verify(m, c.sha256())) {
          return c;
        }
      }
      return null;
    }

    private StunMessage decodeAnswer(byte[] answer) {
      try {
        return StunMessage.decode(Unpooled.wrappedBuffer(answer));
      } catch (MalformedMessageException e) {
        throw new AssertionError(trace("the relay sent a malformed message (" + e.getMessage() + "): " + hex(answer)));
      }
    }

    /** Refresh with LIFETIME 0 from every client that holds an allocation, with the credentials it was made with. */
    void deleteAllocations() {
      for (FuzzClient c : clients) {
        if (c == null || c.allocatedWith == null) {
          continue;
        }
        client = c;
        c.credentials = c.allocatedWith;
        c.integrity = 0;
        c.realm = REALM;
        log.append(" | delete ").append(c.address().getPort());
        for (int attempt = 0; attempt < 3 && c.allocatedWith != null; attempt++) {
          signedRequest(Method.REFRESH, w -> Lifetime.write(w, 0));
        }
        assertTrue(c.allocatedWith == null, trace("the client could not delete its allocation"));
      }
    }

    private byte[] transactionId() {
      byte[] id = new byte[StunMessage.TRANSACTION_ID_LENGTH];
      long n = ++transactions;
      for (int i = 0; i < 8; i++) {
        id[4 + i] = (byte) (n >>> (8 * (7 - i)));
      }
      id[0] = (byte) 0xF2;
      return id;
    }

    @Override
    public void close() {
      for (FuzzClient c : clients) {
        if (c != null) {
          c.socket.close();
        }
      }
    }
  }

  // ---- the healthy allocation ----

  /** An allocation made at start by a well-behaved client, with a channel to its own peer. */
  private static final class Healthy implements AutoCloseable {
    final Credentials credentials = freshRestUser(7 * 86400);
    final StunClient client = new StunClient(relayPort).credentials(credentials.username(), credentials.password());
    final DatagramSocket peer = socket(HEALTHY_PEER_HOST);
    final InetSocketAddress relayed;
    final int channel = 0x4ABC;
    long refreshedAt;
    long counter;

    Healthy() {
      StunClient.Response allocated = client.request(Method.ALLOCATE, w -> {
        RequestedTransport.write(w, RequestedTransport.UDP);
        Lifetime.write(w, 3600);
      });
      assertEquals(0, allocated.errorCode(), "healthy Allocate");
      relayed = allocated.relayed();
      bind();
    }

    InetSocketAddress peerAddress() {
      return local(peer);
    }

    private void bind() {
      StunClient.Response bound = client.request(Method.CHANNEL_BIND, w -> {
        ChannelNumber.write(w, channel);
        XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, peerAddress());
      });
      assertEquals(0, bound.errorCode(), "healthy ChannelBind");
      refreshedAt = System.nanoTime();
    }

    /** Permissions last 300 s and channels 600 s: refreshed well before, for long runs. */
    void refreshWhenDue() {
      if (System.nanoTime() - refreshedAt < HEALTHY_REFRESH_NANOS) {
        return;
      }
      StunClient.Response refreshed = client.request(Method.REFRESH, w -> Lifetime.write(w, 3600));
      assertEquals(0, refreshed.errorCode(), "healthy Refresh");
      bind();
    }

    /** ChannelData to the peer, and data from the peer back as ChannelData, each arriving intact. */
    void relaysBothWays(Sequence sequence) {
      byte[] out = payload("to-peer");
      byte[] frame = new byte[ChannelData.HEADER_LENGTH + out.length];
      frame[0] = (byte) (channel >> 8);
      frame[1] = (byte) channel;
      frame[3] = (byte) out.length;
      System.arraycopy(out, 0, frame, ChannelData.HEADER_LENGTH, out.length);
      client.sendRaw(frame);
      awaitDatagram(peer, out, 0, sequence, "the healthy peer did not receive the healthy client's ChannelData");
      byte[] back = payload("to-client");
      send(peer, back, relayed);
      byte[] expected = new byte[ChannelData.HEADER_LENGTH + back.length];
      System.arraycopy(frame, 0, expected, 0, 2);
      expected[3] = (byte) back.length;
      System.arraycopy(back, 0, expected, ChannelData.HEADER_LENGTH, back.length);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
      while (System.nanoTime() < deadline) {
        byte[] got = client.receive((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        if (got != null && Arrays.equals(got, expected)) {
          return;
        }
      }
      fail(sequence.trace("the healthy client did not receive its peer's data as ChannelData"));
    }

    private byte[] payload(String what) {
      return (what + "-" + (++counter)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
      client.close();
      peer.close();
    }
  }

  // ---- sockets ----

  private static DatagramSocket socket(InetAddress host) {
    try {
      DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, 0));
      socket.setSoTimeout(TIMEOUT_MILLIS);
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InetSocketAddress local(DatagramSocket socket) {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  private static void send(DatagramSocket socket, byte[] datagram) {
    if (datagram != null) {
      send(socket, datagram, new InetSocketAddress(InetAddress.getLoopbackAddress(), relayPort));
    }
  }

  private static void send(DatagramSocket socket, byte[] datagram, InetSocketAddress to) {
    try {
      socket.send(new DatagramPacket(datagram, datagram.length, to));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next datagram before {@code deadline}, or null. */
  private static byte[] receive(DatagramSocket socket, long deadline) {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      return null;
    }
    try {
      socket.setSoTimeout((int) left);
      DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
      socket.receive(packet);
      return Arrays.copyOf(packet.getData(), packet.getLength());
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for a datagram equal to {@code expected} (others, e.g. from fuzzed sequences, are skipped). */
  private static void awaitDatagram(DatagramSocket socket, byte[] expected, int offset, Sequence sequence,
                                    String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
    byte[] got;
    while ((got = receive(socket, deadline)) != null) {
      if (Arrays.equals(got, offset, got.length, expected, 0, expected.length)) {
        return;
      }
    }
    fail(sequence.trace(what));
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }

  /** WARNING and above from Switchboard's loggers: the relay logs a datagram that threw there. */
  private static final class Warnings extends Handler {
    final List<LogRecord> records = new CopyOnWriteArrayList<>();

    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        records.add(record);
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  }
}
