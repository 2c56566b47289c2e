package io.switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.auth.AuthFailureException;
import io.switchboard.signaling.protocol.ErrorCode;
import io.switchboard.signaling.protocol.FrameType;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The node's meters, exposed at {@code /metrics} in Prometheus text format. Every label value comes from a
 * closed enum (frame type, error code, auth failure reason): never a user, session or room name. Counters are
 * resolved once here so the hot path only increments.
 */
public final class SwitchboardMetrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger sessions = new AtomicInteger();
  private final Counter sessionsOpened;
  private final Map<FrameType, Counter> framesReceived;
  private final Map<FrameType, Counter> framesRelayed;
  private final Map<ErrorCode, Counter> errors;
  private final Map<AuthFailureException.Reason, Counter> authFailures;
  private final Counter framesDropped;
  private final Counter slowConsumersClosed;
  private final Counter livenessDrops;
  private final Timer relayTime;

  public SwitchboardMetrics(IntSupplier roomCount) {
    Gauge.builder("switchboard.sessions", sessions, AtomicInteger::get)
      .description("WebSocket sessions open on this node").register(registry);
    Gauge.builder("switchboard.rooms", roomCount::getAsInt)
      .description("Rooms with at least one participant on this node").register(registry);
    sessionsOpened = Counter.builder("switchboard.sessions.opened")
      .description("Sessions admitted since start").register(registry);
    framesReceived = EnumCounters.register(registry, FrameType.class, "switchboard.frames.received", "type",
      FrameType::wire, "Valid client frames received");
    framesRelayed = EnumCounters.register(registry, FrameType.class, "switchboard.frames.relayed", "type",
      FrameType::wire, "Frames written to a receiving session (a broadcast counts once per receiver)");
    errors = EnumCounters.register(registry, ErrorCode.class, "switchboard.errors", "code", ErrorCode::wire,
      "error frames sent, by code");
    authFailures = EnumCounters.register(registry, AuthFailureException.Reason.class, "switchboard.auth.failures",
      "reason", EnumCounters::lowerCase, "Refused tokens, by reason");
    framesDropped = Counter.builder("switchboard.frames.dropped")
      .description("Frames dropped by the per-session rate limit").register(registry);
    slowConsumersClosed = Counter.builder("switchboard.sessions.slow.closed")
      .description("Sessions closed because their send queue overflowed").register(registry);
    livenessDrops = Counter.builder("switchboard.sessions.liveness.dropped")
      .description("Sessions dropped for not answering pings").register(registry);
    relayTime = Timer.builder("switchboard.relay.time")
      .description("Time from receiving a frame to handing it to the receiver's socket")
      .publishPercentileHistogram()
      .minimumExpectedValue(Duration.ofNanos(10_000))
      .maximumExpectedValue(Duration.ofSeconds(1))
      .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    // every session holds a socket: open files against the process's limit is the node-wide session ceiling
    new FileDescriptorMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
  }

  public void sessionOpened() {
    sessions.incrementAndGet();
    sessionsOpened.increment();
  }

  public void sessionClosed() {
    sessions.decrementAndGet();
  }

  public int openSessions() {
    return sessions.get();
  }

  public void frameReceived(FrameType type) {
    framesReceived.get(type).increment();
  }

  /** @param tookNanos from receiving the frame to handing it to the last receiver's socket */
  public void relayed(FrameType type, int receivers, long tookNanos) {
    framesRelayed.get(type).increment(receivers);
    relayTime.record(tookNanos, TimeUnit.NANOSECONDS);
  }

  public void error(ErrorCode code) {
    errors.get(code).increment();
  }

  public void authFailure(AuthFailureException.Reason reason) {
    authFailures.get(reason).increment();
  }

  public void frameDropped() {
    framesDropped.increment();
  }

  public void slowConsumerClosed() {
    slowConsumersClosed.increment();
  }

  public void livenessDrop() {
    livenessDrops.increment();
  }

  /** The registry, for meters of other components (the relay's). */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  /** Prometheus text exposition format. */
  public String scrape() {
    return registry.scrape();
  }
}
