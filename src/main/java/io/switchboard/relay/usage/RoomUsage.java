package io.switchboard.relay.usage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;

/**
 * One room's TURN usage, totals and per participant (identity): allocations, how many are still open, application
 * bytes relayed each way and allocation time. An accumulator: a node adds its ended and live allocations, the
 * cluster query merges the nodes' answers. Not thread-safe. Per-participant entries are capped at
 * {@link #MAX_PARTICIPANTS}: what other identities used still counts in the totals, and {@code participantsTruncated}
 * says some were left out.
 */
public final class RoomUsage {

  /** Participants listed per room; more identities count in the totals only. */
  public static final int MAX_PARTICIPANTS = 1000;

  /** The counts of a room or of one participant. */
  static final class Counts {
    long allocations;
    long active;
    long bytesToPeers;
    long bytesFromPeers;
    long nanos;

    void add(long allocationCount, long activeCount, long toPeers, long fromPeers, long allocationNanos) {
      allocations += allocationCount;
      active += activeCount;
      bytesToPeers += toPeers;
      bytesFromPeers += fromPeers;
      nanos += allocationNanos;
    }

    void add(Counts other) {
      add(other.allocations, other.active, other.bytesToPeers, other.bytesFromPeers, other.nanos);
    }

    JsonObject toJson(JsonObject json) {
      return json.put("allocations", allocations).put("activeAllocations", active)
        .put("bytesToPeers", bytesToPeers).put("bytesFromPeers", bytesFromPeers)
        .put("allocationSeconds", Math.round(nanos / 1_000_000.0) / 1000.0);
    }

    static Counts fromJson(JsonObject json) {
      Counts counts = new Counts();
      counts.add(json.getLong("allocations", 0L), json.getLong("activeAllocations", 0L),
        json.getLong("bytesToPeers", 0L), json.getLong("bytesFromPeers", 0L),
        Math.round(json.getDouble("allocationSeconds", 0.0) * 1_000_000_000.0));
      return counts;
    }
  }

  private final Counts total = new Counts();
  /** By identity, sorted so the JSON lists participants in a stable order. */
  private final Map<String, Counts> participants = new TreeMap<>();
  private boolean truncated;
  /** Some relay (a node, an instance) did not answer in time: its share is missing. */
  private boolean incomplete;

  /**
   * Adds one allocation, or several of one participant.
   *
   * @param active how many of them are still open
   * @param allocationNanos how long they were (or have been) open, together
   */
  public void add(String identity, long allocations, long active, long bytesToPeers, long bytesFromPeers,
                  long allocationNanos) {
    total.add(allocations, active, bytesToPeers, bytesFromPeers, allocationNanos);
    Counts counts = participant(identity);
    if (counts != null) {
      counts.add(allocations, active, bytesToPeers, bytesFromPeers, allocationNanos);
    }
  }

  /** Adds everything {@code other} counted. */
  public void merge(RoomUsage other) {
    total.add(other.total);
    other.participants.forEach((identity, counts) -> {
      Counts mine = participant(identity);
      if (mine != null) {
        mine.add(counts);
      }
    });
    truncated |= other.truncated;
    incomplete |= other.incomplete;
  }

  /** Some relay's share is missing (it did not answer in time). */
  public void markIncomplete() {
    incomplete = true;
  }

  /** The entry of {@code identity}, made if there is room for it; null (and truncated) when there is not. */
  private Counts participant(String identity) {
    Counts counts = participants.get(identity);
    if (counts == null) {
      if (participants.size() >= MAX_PARTICIPANTS) {
        truncated = true;
        return null;
      }
      counts = new Counts();
      participants.put(identity, counts);
    }
    return counts;
  }

  /** Participant entries held (what a node's memory bound counts). */
  public int participantCount() {
    return participants.size();
  }

  public long allocations() {
    return total.allocations;
  }

  public long activeAllocations() {
    return total.active;
  }

  public long bytesToPeers() {
    return total.bytesToPeers;
  }

  public long bytesFromPeers() {
    return total.bytesFromPeers;
  }

  public long allocationNanos() {
    return total.nanos;
  }

  /** A copy, so a kept total can be handed out and added to. */
  public RoomUsage copy() {
    RoomUsage copy = new RoomUsage();
    copy.merge(this);
    return copy;
  }

  /** The documented shape (docs/relay.md, "TURN usage per room"). */
  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    participants.forEach((identity, counts) -> list.add(counts.toJson(new JsonObject().put("identity", identity))));
    JsonObject json = total.toJson(new JsonObject()).put("participants", list).put("complete", !incomplete);
    if (truncated) {
      json.put("participantsTruncated", true);
    }
    return json;
  }

  /** Reads {@link #toJson()}'s shape (a node's answer to the cluster query); throws on a malformed one. */
  public static RoomUsage fromJson(JsonObject json) {
    RoomUsage usage = new RoomUsage();
    usage.total.add(Counts.fromJson(json));
    JsonArray list = json.getJsonArray("participants", new JsonArray());
    for (int i = 0; i < list.size(); i++) {
      JsonObject entry = list.getJsonObject(i);
      Counts counts = usage.participant(entry.getString("identity"));
      if (counts != null) {
        counts.add(Counts.fromJson(entry));
      }
    }
    usage.truncated = json.getBoolean("participantsTruncated", false);
    usage.incomplete = !json.getBoolean("complete", true);
    return usage;
  }
}
