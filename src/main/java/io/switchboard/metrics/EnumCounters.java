package io.switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One counter per value of a closed enum, registered up front: label values stay bounded, and the hot path
 * only looks a counter up in an {@link EnumMap}.
 */
final class EnumCounters {

  private EnumCounters() {
  }

  static <E extends Enum<E>> Map<E, Counter> register(MeterRegistry registry, Class<E> type, String name,
                                                      String tag, Function<E, String> label, String description) {
    Map<E, Counter> counters = new EnumMap<>(type);
    for (E value : type.getEnumConstants()) {
      counters.put(value, Counter.builder(name).tag(tag, label.apply(value)).description(description)
        .register(registry));
    }
    return counters;
  }

  /** The enum constant's name in lower case, the label used where the enum has no wire name. */
  static String lowerCase(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
