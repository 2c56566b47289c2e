package io.switchboard.relay.usage;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a node's relays counted for allocations that have ended, per room: kept for {@link #RETENTION_NANOS} after
 * the room's last allocation ended (long enough for the {@code room_finished} webhook and an operator's look), and
 * at most {@link #MAX_ENTRIES} participant entries in all; beyond that the room touched least recently goes first,
 * counted in {@link #evictedRooms()}. Thread-safe (an allocation ends on its relay instance's event loop, queries
 * come from anywhere); touched once per ended allocation and once per query, never per datagram.
 */
public final class EndedAllocations {

  /** How long a room's totals are kept after its last allocation ended. */
  public static final long RETENTION_NANOS = 3600L * 1_000_000_000L;
  /** Participant entries kept over all rooms (each a few hundred bytes). */
  public static final int MAX_ENTRIES = 100_000;

  private record Kept(RoomUsage usage, long touchedNanos) {
  }

  private final long retentionNanos;
  private final int maxEntries;
  /** In order of last change: the eldest is the first to expire or to be evicted. */
  private final LinkedHashMap<String, Kept> rooms = new LinkedHashMap<>();
  private int entries;
  private final AtomicLong evicted = new AtomicLong();

  public EndedAllocations() {
    this(RETENTION_NANOS, MAX_ENTRIES);
  }

  EndedAllocations(long retentionNanos, int maxEntries) {
    this.retentionNanos = retentionNanos;
    this.maxEntries = maxEntries;
  }

  /** Folds one ended allocation into its room's totals. */
  public synchronized void add(String room, String identity, long bytesToPeers, long bytesFromPeers,
                               long allocationNanos, long nowNanos) {
    expire(nowNanos);
    Kept kept = rooms.remove(room);
    RoomUsage usage = kept == null ? new RoomUsage() : kept.usage();
    int before = usage.participantCount();
    usage.add(identity, 1, 0, bytesToPeers, bytesFromPeers, allocationNanos);
    entries += usage.participantCount() - before;
    rooms.put(room, new Kept(usage, nowNanos));
    evictBeyond(room);
  }

  /** A copy of the room's totals (empty when none are kept). */
  public synchronized RoomUsage room(String room, long nowNanos) {
    expire(nowNanos);
    Kept kept = rooms.get(room);
    return kept == null ? new RoomUsage() : kept.usage().copy();
  }

  private void expire(long nowNanos) {
    Iterator<Kept> it = rooms.values().iterator();
    while (it.hasNext()) {
      Kept kept = it.next();
      if (nowNanos - kept.touchedNanos() < retentionNanos) {
        return;
      }
      entries -= kept.usage().participantCount();
      it.remove();
    }
  }

  /** Evicts the least recently changed rooms while over the bound, never {@code keep} (the one just changed). */
  private void evictBeyond(String keep) {
    Iterator<Map.Entry<String, Kept>> it = rooms.entrySet().iterator();
    while (entries > maxEntries && it.hasNext()) {
      Map.Entry<String, Kept> eldest = it.next();
      if (eldest.getKey().equals(keep)) {
        return;
      }
      entries -= eldest.getValue().usage().participantCount();
      it.remove();
      evicted.incrementAndGet();
    }
  }

  /** Rooms whose totals are kept now. */
  public synchronized int roomCount() {
    return rooms.size();
  }

  /** Rooms dropped before their retention ended, to stay within {@link #MAX_ENTRIES}. */
  public long evictedRooms() {
    return evicted.get();
  }
}
