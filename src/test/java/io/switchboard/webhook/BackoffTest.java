package io.switchboard.webhook;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Backoff: from the minimum, doubling, capped at the maximum, jittered within the upper half")
class BackoffTest {

  @Test
  @DisplayName("bounds for every attempt, with the lowest and highest jitter")
  void bounds() {
    Backoff backoff = new Backoff(500, 30_000);
    assertEquals(500, backoff.delay(1, 0.0));
    assertEquals(500, backoff.delay(1, 0.999));
    assertEquals(500, backoff.delay(2, 0.0));
    assertEquals(999, backoff.delay(2, 0.999));
    assertEquals(2000, backoff.delay(4, 0.0));
    assertEquals(3998, backoff.delay(4, 0.999));
    for (int failures = 1; failures < 100; failures++) {
      for (double random : new double[] {0.0, 0.5, 0.999_999}) {
        long delay = backoff.delay(failures, random);
        assertTrue(delay >= 500 && delay <= 30_000, failures + " failures: " + delay);
      }
    }
    assertEquals(15_000, backoff.delay(60, 0.0), "capped: the upper half of the maximum");
    assertEquals(29_999, backoff.delay(Integer.MAX_VALUE, 0.999_99));
  }

  @Test
  @DisplayName("minimum equal to maximum: a constant delay")
  void constant() {
    Backoff backoff = new Backoff(100, 100);
    for (int failures = 1; failures < 40; failures++) {
      assertEquals(100, backoff.delay(failures, 0.7));
    }
  }
}
