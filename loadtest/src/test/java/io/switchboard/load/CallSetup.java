package io.switchboard.load;

import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.WsFrameCheck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * P pairs; in each the caller sends one offer (3 KB SDP) and 10 candidates (~150 B), the callee answers with one
 * answer (3 KB) and 10 candidates: 22 relayed frames per pair. The setup time is measured from the moment the
 * caller sends its offer to the moment its last expected candidate arrives (taken in the check that matches
 * it). Each side checks what it receives: the SDP character for character, the candidates in the order they
 * were sent and exactly as sent, and the partner named as sender ({@code from} / {@code src}). Every setup must
 * complete; the p99 must stay under {@code -DsetupP99Ms}.
 *
 * <p>{@code -Dpairs=1000 -DrampSeconds=1 -DsetupP99Ms=2000}; with several {@code -Dnodes}, {@code -Dspread}
 * (see {@link Pairs}).
 */
public class CallSetup extends LoadSimulation {

  static final int CANDIDATES = 10;
  private final int pairs = Params.integer("pairs", 100);
  private final double rampSeconds = Params.decimal("rampSeconds", 1);
  private final double setupP99Ms = Params.decimal("setupP99Ms", 2000);
  private final String offer = Payloads.sdp("offer");
  private final String answer = Payloads.sdp("answer");

  protected String scenarioName() {
    return "CallSetup";
  }

  private String typeOf(String kind) {
    return target.wireType(kind);
  }

  /**
   * The checks for what the partner sends, in the order it sends it: the SDP exactly as sent, then candidates 1
   * to 10 in that order, each exactly as sent, every frame naming the partner as its sender.
   */
  private List<WsFrameCheck> expect(String who, String first, boolean recordSetup) {
    List<WsFrameCheck> checks = new ArrayList<>();
    checks.add(ws.checkTextMessage(who + " " + first).matching(jsonPath("$.type").is(typeOf(first)))
      .check(fromPartner(), jsonPath(target.bodyPath("sdp")).is(Payloads.sdpText(first))));
    for (int i = 1; i <= CANDIDATES; i++) {
      boolean last = i == CANDIDATES;
      var check = ws.checkTextMessage(who + (last ? " last candidate" : " candidate"))
        .matching(jsonPath("$.type").is(typeOf("candidate")))
        .check(fromPartner(), jsonPath(target.bodyPath("candidate.candidate")).is(Payloads.candidateLine(i)));
      if (last && recordSetup) {
        check = check.check(jsonPath("$.type").transformWithSession((type, s) -> {
          long done = System.nanoTime();
          Stats.histogram("setup").recordNanos(done - s.getLong("t0"));
          Stats.inc("setups.done");
          Stats.max("setup.lastDoneMs", System.currentTimeMillis());
          return type;
        }).is(typeOf("candidate")));
      }
      checks.add(check);
    }
    return checks;
  }

  /** The server names the partner (saved as {@code peerId} when it joined) as the frame's sender. */
  private CheckBuilder fromPartner() {
    return jsonPath("$." + target.senderField()).is(s -> s.getString("peerId"));
  }

  private ChainBuilder sendAll(String who, String sdpKind, String sdp, List<WsFrameCheck> awaitOnLast) {
    ChainBuilder chain = exec(ws(who + " " + sdpKind).sendText(s ->
      target.directed(sdpKind, s.getString("peerId"), "sdp", sdp)));
    for (int i = 1; i <= CANDIDATES; i++) {
      int n = i;
      var send = ws(who + " candidate").sendText(s ->
        target.directed("candidate", s.getString("peerId"), "candidate", Payloads.candidate(n)));
      chain = chain.exec(n == CANDIDATES && awaitOnLast != null ? send.await(timeout).on(awaitOnLast) : send);
    }
    return chain.exec(s -> {
      Stats.add("frames.sent", CANDIDATES + 1);
      return s;
    });
  }

  {
    Pairs p = new Pairs(target, timeout);
    ChainBuilder caller = p.callerJoin("cs")
      .exec(s -> {
        Stats.max("setup.firstOfferMs", -System.currentTimeMillis()); // max of negatives: the earliest
        return s.set("t0", System.nanoTime());
      })
      .exec(sendAll("caller", "offer", offer, expect("caller", "answer", true)))
      .pause(Duration.ofSeconds(1))
      .exec(ws("caller close").close());
    ChainBuilder callee = p.calleeJoin("cs", expect("callee", "offer", false))
      .exec(sendAll("callee", "answer", answer, null))
      .pause(Duration.ofSeconds(2))
      .exec(ws("callee close").close());

    ScenarioBuilder calls = scenario(scenarioName())
      .doIfOrElse(Pairs::isCaller).then(caller).orElse(callee);

    verdict("verdict: every call setup completed", () -> Stats.count("setups.done") == pairs);
    verdict("verdict: setup p99 under " + setupP99Ms + " ms",
      () -> Stats.histogram("setup").percentileMicros(99) < setupP99Ms * 1000);

    setUp(calls.injectOpen(rampSeconds <= 0 ? atOnceUsers(2 * pairs)
        : rampUsers(2 * pairs).during(Duration.ofMillis(Math.max(1000, (long) (rampSeconds * 1000)))))
      .andThen(verdictUser()))
      .protocols(protocol(64, null))
      .assertions(global().failedRequests().count().is(0L));
  }

  @Override
  public void after() {
    Stats.histogram("setup");
    String first = Stats.value("setup.firstOfferMs");
    String last = Stats.value("setup.lastDoneMs");
    long done = Stats.count("setups.done");
    Stats.put("scenario", scenarioName());
    Stats.put("sessions", 2 * pairs);
    Stats.put("window.start", Stats.value("start"));
    Stats.put("window.end", last == null ? Long.toString(System.currentTimeMillis()) : last);
    Stats.put("frames", Stats.count("frames.sent"));
    Stats.put("p50_ms", Stats.ms(Stats.histogram("setup").percentileMicros(50)));
    Stats.put("p99_ms", Stats.ms(Stats.histogram("setup").percentileMicros(99)));
    double span = first == null || last == null ? 0 : (Long.parseLong(last) + Long.parseLong(first)) / 1000.0;
    Stats.put("extra", "setups=" + done + "/" + pairs + " setups/s=" + (span > 0 ? String.format("%.1f", done / span) : "n/a")
      + " setup_span_s=" + String.format("%.3f", span));
    super.after();
  }
}
