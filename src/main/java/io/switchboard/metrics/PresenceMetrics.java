package io.switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Meters of room presence: resumes and their failures, what the grace period holds, and what was refused from
 * other nodes (malformed or forged: either a bug or someone injecting into the cluster, worth an alert).
 */
public final class PresenceMetrics {

  private final Counter framesRefused;
  private final Counter envelopesSent;
  private final Counter deltasRefused;
  private final Counter recordsRefused;
  private final Counter resumes;
  private final MeterRegistry registry;
  /** By reason tag; a handful of reasons, registered on first use. */
  private final Map<String, Counter> resumeFailures = new ConcurrentHashMap<>();
  private final Counter handoversTimedOut;
  private final Counter handoversLate;

  public PresenceMetrics(MeterRegistry registry, LongSupplier graceSessions, LongSupplier graceBytes) {
    this.registry = registry;
    framesRefused = Counter.builder("switchboard.cluster.frames.refused")
      .description("Frames from other nodes not delivered: malformed, or their sender is not a member of the "
        + "receiver's room held by the sending node")
      .register(registry);
    envelopesSent = Counter.builder("switchboard.cluster.frame.envelopes.sent")
      .description("Messages carrying frames to other nodes' sessions: one per directed frame, one per node (per "
        + "255 receivers) for a broadcast")
      .register(registry);
    deltasRefused = Counter.builder("switchboard.cluster.deltas.refused")
      .description("Presence deltas and handover messages from other nodes not applied: malformed, from an "
        + "untrusted node, or naming sessions the sender does not hold")
      .register(registry);
    recordsRefused = Counter.builder("switchboard.cluster.records.refused")
      .description("Member records read from the room store and ignored because they are malformed")
      .register(registry);
    resumes = Counter.builder("switchboard.resumes")
      .description("Sessions resumed on this node (same id, buffered frames delivered)").register(registry);
    handoversTimedOut = Counter.builder("switchboard.handovers").tag("outcome", "timed_out")
      .description("Resumes from another node whose handover did not complete in time (gate opened anyway)")
      .register(registry);
    handoversLate = Counter.builder("switchboard.handovers").tag("outcome", "late")
      .description("Handovers that arrived after their gate had opened").register(registry);
    Gauge.builder("switchboard.grace.sessions", graceSessions::getAsLong)
      .description("Grace buffers on this node: its sessions waiting for a resume, and sessions of lost nodes it "
        + "buffers frames for").register(registry);
    Gauge.builder("switchboard.grace.buffered.bytes", graceBytes::getAsLong)
      .description("Bytes of frames held in grace buffers").register(registry);
  }

  public void frameRefused() {
    framesRefused.increment();
  }

  public void envelopeSent() {
    envelopesSent.increment();
  }

  public void deltaRefused() {
    deltasRefused.increment();
  }

  public void recordRefused() {
    recordsRefused.increment();
  }

  public void resumed() {
    resumes.increment();
  }

  /** @param reason why, in lower snake case (unknown_session, other_identity, expired, overflowed...) */
  public void resumeFailed(String reason) {
    resumeFailures.computeIfAbsent(reason, tag -> Counter.builder("switchboard.resume.failures").tag("reason", tag)
      .description("Resumes refused on this node (answered with resume-failed and a fresh session)")
      .register(registry)).increment();
  }

  public void handoverTimedOut() {
    handoversTimedOut.increment();
  }

  public void handoverLate() {
    handoversLate.increment();
  }
}
