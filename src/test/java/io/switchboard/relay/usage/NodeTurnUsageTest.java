package io.switchboard.relay.usage;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.AllocationManager;
import io.switchboard.relay.allocation.Bandwidth;
import io.switchboard.relay.allocation.ClientPath;
import io.switchboard.relay.allocation.ClientTransport;
import io.switchboard.relay.allocation.FiveTuple;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node's accounting on a real event loop: allocations going live and ending as a relay instance reports them,
 * their room looked up from the credential, live counts read on the instance's loop, a stuck loop not hanging a
 * query.
 */
@DisplayName("NodeTurnUsage: live and ended allocations of a room, on the relay instance's event loop")
class NodeTurnUsageTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long EXPIRY = 4_000_000_000L;

  private final AtomicLong nanos = new AtomicLong(1000 * SECOND);
  private Vertx vertx;
  private Context loop;
  private LocalCredentialRooms rooms;
  private NodeTurnUsage usage;
  private AllocationManager allocations;
  private int nextPort = 5000;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    loop = vertx.getOrCreateContext();
    rooms = new LocalCredentialRooms(() -> EXPIRY - 100);
    usage = new NodeTurnUsage(rooms, nanos::get);
    allocations = new AllocationManager();
    usage.register(loop, allocations);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Runs {@code action} on the relay instance's loop and waits for it. */
  private void onLoop(Runnable action) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.runOnContext(v -> {
      action.run();
      done.complete(null);
    });
    done.get(5, TimeUnit.SECONDS);
  }

  /** A live allocation of {@code username}, owned by {@code owner}, as the relay makes one. */
  private Allocation live(String username, String owner) throws Exception {
    InetSocketAddress client = new InetSocketAddress("198.51.100.1", nextPort++);
    Allocation allocation = new Allocation(new Client(new FiveTuple(client, new InetSocketAddress("192.0.2.1",
      3478))), username, owner, new byte[12], Long.MAX_VALUE, new Bandwidth(0, 0));
    onLoop(() -> {
      allocation.relayBound(new EmbeddedChannel(), new InetSocketAddress("192.0.2.1", 20000 + nextPort));
      allocations.add(allocation);
      usage.allocationLive(allocation, loop);
    });
    return allocation;
  }

  private void end(Allocation allocation) throws Exception {
    onLoop(() -> {
      allocations.remove(allocation);
      allocation.close();
      usage.allocationEnded(allocation);
    });
  }

  private JsonObject query(String room) throws Exception {
    return usage.roomUsage(room).await(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("live allocations count their bytes and time so far; ended ones keep theirs; other rooms stay apart")
  void liveThenEnded() throws Exception {
    rooms.bind(EXPIRY + ":alice", "r1", EXPIRY);
    rooms.bind(EXPIRY + ":bob", "r2", EXPIRY);
    Allocation alice = live(EXPIRY + ":alice", "alice");
    Allocation bob = live(EXPIRY + ":bob", "bob");
    onLoop(() -> {
      alice.countToPeer(100);
      alice.countToPeer(28);
      alice.countFromPeer(50);
      bob.countToPeer(7);
    });
    nanos.addAndGet(2 * SECOND);
    JsonObject r1 = query("r1");
    assertEquals(new JsonObject().put("allocations", 1L).put("activeAllocations", 1L).put("bytesToPeers", 128L)
      .put("bytesFromPeers", 50L).put("allocationSeconds", 2.0).put("complete", true)
      .put("participants", new io.vertx.core.json.JsonArray().add(new JsonObject().put("identity", "alice")
        .put("allocations", 1L).put("activeAllocations", 1L).put("bytesToPeers", 128L).put("bytesFromPeers", 50L)
        .put("allocationSeconds", 2.0))), r1);

    nanos.addAndGet(SECOND);
    end(alice);
    nanos.addAndGet(60 * SECOND);
    JsonObject after = query("r1");
    assertEquals(1, after.getLong("allocations"));
    assertEquals(0, after.getLong("activeAllocations"));
    assertEquals(128, after.getLong("bytesToPeers"));
    assertEquals(3.0, after.getDouble("allocationSeconds"), "ended at 3 s: the time after it does not count");
    assertEquals(7, query("r2").getLong("bytesToPeers"));
    assertEquals(63.0, query("r2").getDouble("allocationSeconds"));
    assertEquals(1, usage.keptRooms());
  }

  @Test
  @DisplayName("a static user's allocation and a REST username never bound count for no room")
  void unattributed() throws Exception {
    live("static-alice", "static-alice");
    live(EXPIRY + ":mallory", "mallory");
    assertEquals(1, usage.unattributedAllocations(), "only the REST username is looked up");
    rooms.bind(EXPIRY + ":carol", "r1", EXPIRY);
    live(EXPIRY + ":carol", "carol");
    JsonObject r1 = query("r1");
    assertEquals(1, r1.getLong("allocations"));
    assertEquals("carol", r1.getJsonArray("participants").getJsonObject(0).getString("identity"));
  }

  @Test
  @DisplayName("a relay instance whose loop does not answer within a second leaves the answer incomplete, not hung")
  void stuckInstance() throws Exception {
    rooms.bind(EXPIRY + ":alice", "r1", EXPIRY);
    live(EXPIRY + ":alice", "alice");
    CompletableFuture<Void> release = new CompletableFuture<>();
    loop.runOnContext(v -> release.join()); // the instance's loop is stuck from now
    try {
      long started = System.nanoTime();
      JsonObject r1 = query("r1");
      long took = (System.nanoTime() - started) / 1_000_000;
      assertEquals(false, r1.getBoolean("complete"), r1.encode());
      assertEquals(0, r1.getLong("allocations"));
      assertTrue(took >= NodeTurnUsage.INSTANCE_TIMEOUT_MILLIS - 50 && took < 4000, took + " ms");
    } finally {
      release.complete(null);
    }
  }

  /** A client known by its five-tuple only: nothing is written to it here. */
  private record Client(FiveTuple fiveTuple) implements ClientPath {

    @Override
    public ClientTransport transport() {
      return fiveTuple.transport();
    }

    @Override
    public InetSocketAddress address() {
      return fiveTuple.client();
    }

    @Override
    public Channel channel() {
      throw new UnsupportedOperationException("nothing is written to this client");
    }

    @Override
    public Object frame(ByteBuf message) {
      throw new UnsupportedOperationException("nothing is written to this client");
    }
  }
}
