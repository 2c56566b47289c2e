package io.switchboard.load;

import io.gatling.http.action.ws.WsInboundMessage;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * One publisher and V viewers in one room (PROTOCOL.md section 5). Each viewer's {@code welcome} must list exactly
 * the publisher; while every viewer is held, the frames each socket received besides its checks are kept
 * (Gatling's unmatched-message buffer) and counted at the end: every viewer must have received at most
 * {@code -DmaxViewerPresence} presence frames (O(1), not O(V)), and the publisher a {@code peer-joined} for
 * every viewer. Switchboard only (PeerJS server has no rooms or roles).
 *
 * <p>{@code -Dviewers=5000 -Drate=500 -DholdSeconds=5 -DmaxViewerPresence=1}
 */
public class Broadcast extends LoadSimulation {

  private final int viewers = Params.integer("viewers", 1000);
  private final double rate = Params.decimal("rate", 500);
  private final int holdSeconds = Params.integer("holdSeconds", 5);
  private final int maxViewerPresence = Params.integer("maxViewerPresence", 1);
  private static final Set<String> SEEN_VIEWERS = ConcurrentHashMap.newKeySet();
  private volatile long holdEndsAt;

  private static boolean presence(String text) {
    return text.contains("\"type\":\"peer-joined\"") || text.contains("\"type\":\"peer-left\"");
  }

  private Duration untilHoldEnds() {
    return Duration.ofMillis(Math.max(0, holdEndsAt - System.currentTimeMillis()));
  }

  private Session viewerJoined(Session s) {
    if (!s.isFailed()) {
      Stats.histogram("connect").recordNanos(System.nanoTime() - s.getLong("t0"));
    }
    Stats.inc(s.isFailed() ? "viewers.failed" : "viewers.connected");
    if (Stats.count("viewers.connected") + Stats.count("viewers.failed") == viewers) {
      Stats.mark("window.end");
      holdEndsAt = System.currentTimeMillis() + holdSeconds * 1000L;
    }
    return s;
  }

  {
    if (!target.switchboard()) {
      throw new IllegalArgumentException("Broadcast needs rooms and roles: run it against switchboard");
    }
    ChainBuilder waitForHoldEnd = asLongAs(s -> holdEndsAt == 0 || System.currentTimeMillis() < holdEndsAt, "hold")
      .on(pause(s -> holdEndsAt == 0 ? Duration.ofMillis(500) : untilHoldEnds()));

    ChainBuilder publisher = exec(ws("publisher connect")
        .connect(s -> target.connectUrl(s, 0, "bc", "publisher"))
        .await(timeout).on(ws.checkTextMessage("publisher welcome")
          .check(jsonPath("$.type").is("welcome"), jsonPath("$.peers[*]").count().is(0))))
      .exec(s -> {
        Stats.mark("window.start");
        Stats.ready(0, "publisher");
        return s;
      })
      .exec(waitForHoldEnd)
      .exec(ws.processUnmatchedMessages((List<WsInboundMessage> messages, Session s) -> {
        for (WsInboundMessage m : messages) {
          String text = ((WsInboundMessage.Text) m).message();
          if (text.contains("\"type\":\"peer-joined\"") && text.contains("\"role\":\"viewer\"")) {
            Stats.inc("publisher.peerJoined");
            int at = text.indexOf("\"identity\":\"") + 12;
            SEEN_VIEWERS.add(text.substring(at, text.indexOf('"', at)));
          }
        }
        return s;
      }))
      .exec(ws("publisher close").close());

    ChainBuilder viewer = asLongAs(s -> !Stats.isReady(0), "waitPublisher").on(pause(Duration.ofMillis(5)))
      .exec(s -> s.set("t0", System.nanoTime()))
      .exec(ws("viewer connect")
        .connect(s -> target.connectUrl(s, 0, "bc", "viewer"))
        .await(timeout).on(ws.checkTextMessage("viewer welcome").check(
          jsonPath("$.type").is("welcome"),
          jsonPath("$.peers[*]").count().is(1),
          jsonPath("$.peers[0].role").is("publisher"))))
      .exec(this::viewerJoined)
      .exitHereIfFailed()
      .exec(waitForHoldEnd)
      .exec(ws.processUnmatchedMessages((List<WsInboundMessage> messages, Session s) -> {
        long presence = messages.stream().filter(m -> presence(((WsInboundMessage.Text) m).message())).count();
        Stats.add("viewers.presenceFrames", presence);
        Stats.max("viewers.presenceMax", presence);
        return s;
      }))
      .exec(ws("viewer close").close());

    verdict("verdict: every viewer welcomed with exactly the publisher", () -> Stats.count("viewers.connected") == viewers);
    verdict("verdict: the publisher learnt of every viewer", () -> SEEN_VIEWERS.size() == viewers);
    verdict("verdict: each viewer got at most " + maxViewerPresence + " presence frames",
      () -> Long.parseLong(java.util.Objects.requireNonNullElse(Stats.value("viewers.presenceMax"), "0")) <= maxViewerPresence);

    setUp(
      scenario("Broadcast").doIfOrElse(s -> s.userId() == 1).then(publisher).orElse(viewer)
        .injectOpen(atOnceUsers(1), rampUsers(viewers).during(Duration.ofMillis(Math.max(1000, (long) (viewers / rate * 1000)))))
        .andThen(verdictUser()))
      .protocols(protocol(viewers + 64, null))
      .assertions(global().failedRequests().count().is(0L));
  }

  @Override
  public void after() {
    Stats.put("scenario", "Broadcast");
    Stats.put("sessions", viewers + 1);
    Stats.put("frames", Stats.count("publisher.peerJoined"));
    Stats.put("p50_ms", Stats.ms(Stats.histogram("connect").percentileMicros(50)));
    Stats.put("p99_ms", Stats.ms(Stats.histogram("connect").percentileMicros(99)));
    Stats.put("extra", "publisher_saw=" + SEEN_VIEWERS.size() + "/" + viewers
      + " viewer_presence_max=" + Stats.value("viewers.presenceMax")
      + " viewer_presence_total=" + Stats.count("viewers.presenceFrames") + " (p50/p99 = viewer connect to welcome)");
    super.after();
  }
}
