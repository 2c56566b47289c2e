package io.switchboard.relay.usage;

import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@link CredentialRooms} of a single node: in memory, in order of issue. At most {@link #MAX_BINDINGS}: beyond that
 * the oldest binding goes (its credential has most likely allocated already, or never will), counted in
 * {@link #evicted()}; expired ones go whenever a binding is added.
 */
public final class LocalCredentialRooms implements CredentialRooms {

  /** Bindings kept; each is a username and a room name, about 200 bytes. */
  public static final int MAX_BINDINGS = 100_000;

  private record Binding(String room, long expiresAtEpochSeconds) {
  }

  private final LongSupplier epochSeconds;
  private final int maxBindings;
  private final LinkedHashMap<String, Binding> bindings = new LinkedHashMap<>();
  private final AtomicLong evicted = new AtomicLong();

  public LocalCredentialRooms(LongSupplier epochSeconds) {
    this(epochSeconds, MAX_BINDINGS);
  }

  LocalCredentialRooms(LongSupplier epochSeconds, int maxBindings) {
    this.epochSeconds = epochSeconds;
    this.maxBindings = maxBindings;
  }

  @Override
  public Future<Void> bind(String username, String room, long expiresAtEpochSeconds) {
    record(username, room, expiresAtEpochSeconds);
    return Future.succeededFuture();
  }

  private synchronized void record(String username, String room, long expiresAtEpochSeconds) {
    if (!CredentialRooms.bindable(username) || room == null) {
      return;
    }
    long now = epochSeconds.getAsLong();
    Iterator<Binding> it = bindings.values().iterator();
    while (it.hasNext()) {
      Binding binding = it.next();
      if (binding.expiresAtEpochSeconds() + SKEW_SECONDS > now && bindings.size() < maxBindings) {
        break;
      }
      if (binding.expiresAtEpochSeconds() + SKEW_SECONDS > now) {
        evicted.incrementAndGet();
      }
      it.remove();
    }
    bindings.remove(username);
    bindings.put(username, new Binding(room, expiresAtEpochSeconds));
  }

  @Override
  public Future<String> room(String username, Context context) {
    return Future.succeededFuture(room(username));
  }

  synchronized String room(String username) {
    Binding binding = bindings.get(username);
    return binding == null || binding.expiresAtEpochSeconds() + SKEW_SECONDS <= epochSeconds.getAsLong() ? null
      : binding.room();
  }

  /** Bindings dropped before their credential expired, to stay within {@link #MAX_BINDINGS}. */
  public long evicted() {
    return evicted.get();
  }

  synchronized int size() {
    return bindings.size();
  }
}
