package io.switchboard.relay.usage;

import io.switchboard.relay.allocation.Allocation;
import io.switchboard.relay.allocation.AllocationManager;
import io.switchboard.relay.policy.TurnRestAuthenticator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The TURN usage this node's relays account, per room: each relay instance tells it when an allocation goes live
 * (its room is looked up then, from the credential) and when it ends (its counts are folded into
 * {@link EndedAllocations}); a query adds the live allocations, read on each instance's own event loop, since their
 * counters are plain fields of that loop. Answers for this node only; {@code ClusterTurnUsage} asks every node.
 */
public final class NodeTurnUsage implements TurnUsageQuery {

  private static final System.Logger LOG = System.getLogger(NodeTurnUsage.class.getName());
  /** How long a relay instance's live allocations are waited for. */
  static final long INSTANCE_TIMEOUT_MILLIS = 1000;

  /** A relay instance's allocations and the event loop they live on. */
  private record Instance(Context context, AllocationManager allocations) {
  }

  private final CredentialRooms credentialRooms;
  private final LongSupplier nanoClock;
  private final EndedAllocations ended = new EndedAllocations();
  private final List<Instance> instances = new CopyOnWriteArrayList<>();
  private final AtomicLong unattributed = new AtomicLong();

  public NodeTurnUsage(CredentialRooms credentialRooms, LongSupplier nanoClock) {
    this.credentialRooms = credentialRooms;
    this.nanoClock = nanoClock;
  }

  public CredentialRooms credentialRooms() {
    return credentialRooms;
  }

  /** A relay instance started: its live allocations count in queries until the returned action runs. */
  public Runnable register(Context context, AllocationManager allocations) {
    Instance instance = new Instance(context, allocations);
    instances.add(instance);
    return () -> instances.remove(instance);
  }

  /**
   * On the allocation's event loop ({@code context}): it is live from now; its room is looked up from its REST
   * username (a static user's allocation belongs to no room).
   */
  public void allocationLive(Allocation allocation, Context context) {
    allocation.liveSince(nanoClock.getAsLong());
    if (TurnRestAuthenticator.restExpiry(allocation.username()) < 0) {
      return;
    }
    credentialRooms.room(allocation.username(), context).onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(System.Logger.Level.DEBUG, "room of a TURN credential not found: {0}", ar.cause().toString());
      }
      String room = ar.succeeded() ? ar.result() : null;
      if (room == null) {
        unattributed.incrementAndGet();
        return;
      }
      allocation.room(room);
      if (allocation.closed()) {
        // it ended before the answer came: it was not folded then
        fold(allocation, room, allocation.usageEndedNanos());
      }
    });
  }

  /** On the allocation's event loop: it has ended; what it counted goes to its room's totals. */
  public void allocationEnded(Allocation allocation) {
    long now = nanoClock.getAsLong();
    allocation.usageEnded(now);
    if (allocation.room() != null) {
      fold(allocation, allocation.room(), now);
    }
  }

  private void fold(Allocation allocation, String room, long endedNanos) {
    ended.add(room, allocation.owner(), allocation.bytesToPeers(), allocation.bytesFromPeers(),
      endedNanos - allocation.liveSinceNanos(), nanoClock.getAsLong());
  }

  /**
   * This node's usage of {@code room}: ended allocations' totals, then each relay instance's live ones (an instance
   * that does not answer within {@link #INSTANCE_TIMEOUT_MILLIS} is left out and the answer marked incomplete).
   * Never fails. An allocation that ends while the query runs may be missed by it once, never counted twice.
   */
  public Future<RoomUsage> local(String room) {
    RoomUsage usage = ended.room(room, nanoClock.getAsLong());
    List<Future<RoomUsage>> live = new ArrayList<>(instances.size());
    for (Instance instance : instances) {
      // bound to no context: its timeout runs on Vert.x's global timer, not on the (maybe stuck) instance's loop
      Promise<RoomUsage> snapshot = Promise.promise();
      instance.context().runOnContext(v -> {
        try {
          snapshot.complete(live(instance.allocations(), room));
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "TURN usage of a relay instance failed", e);
          snapshot.fail(e);
        }
      });
      live.add(snapshot.future().timeout(INSTANCE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
    }
    // answered on the caller's context (an edge's, say), not on the last relay instance's
    ContextInternal caller = ContextInternal.current();
    Promise<RoomUsage> answer = caller == null ? Promise.promise() : caller.promise();
    Future.join(live).onComplete(ignored -> {
      for (Future<RoomUsage> one : live) {
        if (one.succeeded()) {
          usage.merge(one.result());
        } else {
          usage.markIncomplete();
        }
      }
      answer.complete(usage);
    });
    return answer.future();
  }

  /** On the instance's event loop: its live allocations of {@code room}. */
  private RoomUsage live(AllocationManager allocations, String room) {
    long now = nanoClock.getAsLong();
    RoomUsage usage = new RoomUsage();
    for (Allocation allocation : allocations.all()) {
      if (room.equals(allocation.room()) && !allocation.pending() && !allocation.closed()) {
        usage.add(allocation.owner(), 1, 1, allocation.bytesToPeers(), allocation.bytesFromPeers(),
          now - allocation.liveSinceNanos());
      }
    }
    return usage;
  }

  @Override
  public Future<JsonObject> roomUsage(String room) {
    return local(room).map(RoomUsage::toJson);
  }

  /** Rooms whose ended allocations' totals this node keeps. */
  public int keptRooms() {
    return ended.roomCount();
  }

  /** Rooms dropped before their retention ended (the memory bound). */
  public long evictedRooms() {
    return ended.evictedRooms();
  }

  /** Allocations made with a REST credential whose room was not known (issued elsewhere, or its binding lost). */
  public long unattributedAllocations() {
    return unattributed.get();
  }
}
