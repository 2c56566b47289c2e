package io.switchboard.load;

import io.gatling.javaapi.core.ScenarioBuilder;

import java.time.Duration;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * N authenticated sessions opened at a given rate, spread over rooms, and held. Each virtual user mints its own
 * token, connects, waits for {@code welcome} (PeerJS: {@code OPEN}), then holds its socket idle until every
 * session is up plus {@code holdSeconds}; at the end each socket proves it is still open with one echo round
 * trip. run.sh samples the server's RSS and heap while the sessions are held (mark file {@code plateau}).
 *
 * <p>{@code -Dsessions=1000 -Drate=500 -DroomSize=10 -DholdSeconds=20}
 */
public class ConnectStorm extends LoadSimulation {

  private final int sessions = Params.integer("sessions", 1000);
  private final double rate = Params.decimal("rate", 500);
  private final int roomSize = Params.integer("roomSize", 10);
  private final int holdSeconds = Params.integer("holdSeconds", 20);
  private final long startedAt = System.currentTimeMillis();
  private final long rampEndsAt = startedAt + (long) (sessions / rate * 1000) + 5_000;

  private Duration untilHoldEnds() {
    String plateau = Stats.value("plateau");
    long now = System.currentTimeMillis();
    if (plateau == null) {
      return Duration.ofSeconds(2);
    }
    return Duration.ofMillis(Math.max(0, Long.parseLong(plateau) + holdSeconds * 1000L - now));
  }

  private boolean holdOver() {
    String plateau = Stats.value("plateau");
    return plateau != null && System.currentTimeMillis() >= Long.parseLong(plateau) + holdSeconds * 1000L;
  }

  {
    ScenarioBuilder storm = scenario("connect storm")
      .exec(s -> s.set("t0", System.nanoTime()))
      .exec(ws("connect").connect(s -> target.connectUrl(s, (int) s.userId(),
          "storm-" + (s.userId() / roomSize), "publisher"))
        .await(timeout).on(ws.checkTextMessage("welcome").check(target.openChecks())))
      .exec(s -> {
        if (!s.isFailed()) {
          Stats.histogram("connect").recordNanos(System.nanoTime() - s.getLong("t0"));
        }
        Stats.inc(s.isFailed() ? "sessions.failed" : "sessions.connected");
        if (Stats.count("sessions.connected") + Stats.count("sessions.failed") == sessions) {
          Stats.mark("plateau");
        }
        return s;
      })
      .exitHereIfFailed()
      .pause(s -> Duration.ofMillis(Math.max(0, rampEndsAt - System.currentTimeMillis())))
      .asLongAs(s -> !holdOver() && System.currentTimeMillis() < rampEndsAt + timeout.toMillis() + holdSeconds * 1000L)
      .on(pause(s -> untilHoldEnds()))
      .exec(ws("still open").sendText(target::echoRequest)
        .await(timeout).on(ws.checkTextMessage("still open")
          .matching(jsonPath("$.type").is(target.echoReplyType()))
          .check(jsonPath("$.type").is(target.echoReplyType()))))
      .exec(s -> {
        Stats.inc(s.isFailed() ? "sessions.dropped" : "sessions.held");
        return s;
      })
      .exec(ws("close").close());

    verdict("verdict: every session connected", () -> Stats.count("sessions.connected") == sessions);
    verdict("verdict: every session held to the end", () -> Stats.count("sessions.held") == sessions);
    Stats.put("scenario", "ConnectStorm");
    Stats.put("sessions", sessions);

    setUp(storm.injectOpen(rampUsers(sessions).during(Duration.ofMillis(Math.max(1000, (long) (sessions / rate * 1000)))))
      .andThen(verdictUser()))
      .protocols(protocol(16, null))
      .assertions(global().failedRequests().count().is(0L));
  }
}
