package io.switchboard.load;

import io.gatling.http.action.ws.WsInboundMessage;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * Sessions in pairs send 200-byte {@code message} frames to their partner at a fixed total rate (both
 * directions, spread evenly over the sessions and over each interval). Each frame carries its step, its sender,
 * its addressee, a sequence number and the sender's {@link System#nanoTime()}; the receiving socket's frame hook
 * (Gatling's text-frame callback, called as the frame arrives) records the one-way delivery time, counts the
 * frame, and checks the sender's sequence (a gap or a reordering is counted). The hook cannot tell which
 * session it runs for, so each user also reads the frames its own socket received (Gatling's unmatched-message
 * buffer, just before each send and once after the drain) and checks that each names this user as addressee,
 * its partner as sender, and carries the partner's id where the server states the sender ({@code from} /
 * {@code src}): a frame delivered to the wrong session is counted as misdelivered. After the last step a drain
 * period lets frames in flight arrive; then every frame sent must have been received, in order, by its
 * addressee, with the p99 under the bound.
 *
 * <p>{@code -Dpairs=100 -Drates=2000 -DstepSeconds=15 -DboundMs=20 -DdrainMs=2000}; several rates make the
 * stepped variant ({@link SteadyRelayStepped}). With several {@code -Dnodes}, {@code -Dspread} (see {@link Pairs}).
 */
public class SteadyRelay extends LoadSimulation {

  static final int FRAME_BYTES = 200;
  /** Frames a socket may receive between two reads of its buffer (only a bound: the buffer grows as needed). */
  private static final int INBOUND_BUFFER = 100_000;
  protected final int pairs = Params.integer("pairs", 100);
  protected final List<Integer> rates = Params.integers("rates", defaultRates());
  protected final int stepSeconds = Params.integer("stepSeconds", 15);
  protected final double boundMs = Params.decimal("boundMs", 20);
  private final int drainMs = Params.integer("drainMs", 2000);
  private final int sessions = 2 * pairs;
  private static final Map<Long, AtomicLong> LAST_SEQ = new ConcurrentHashMap<>();
  private volatile long streamStartMs;

  protected String defaultRates() {
    return "2000";
  }

  protected String scenarioName() {
    return "SteadyRelay";
  }

  /** Called by Gatling for every text frame that arrives while its user is not awaiting a check. */
  static String onFrame(String text) {
    int k = text.indexOf("\"k\":");
    if (k < 0 || text.indexOf("\"q\":", k) < 0) {
      return null;
    }
    long now = System.nanoTime();
    int step = (int) number(text, k + 4);
    long sender = number(text, text.indexOf("\"s\":", k) + 4);
    long seq = number(text, text.indexOf("\"q\":", k) + 4);
    long sentAt = number(text, text.indexOf("\"t\":", k) + 4);
    Stats.histogram("lat." + step).recordNanos(now - sentAt);
    Stats.inc("step." + step + ".received");
    long previous = LAST_SEQ.computeIfAbsent(sender, s -> new AtomicLong(-1)).getAndSet(seq);
    if (seq != previous + 1) {
      Stats.inc("step." + step + ".reordered");
    }
    return null;
  }

  private static boolean isStreamFrame(String text) {
    int k = text.indexOf("\"k\":");
    return k >= 0 && text.indexOf("\"q\":", k) >= 0;
  }

  /**
   * Checks the frames this user's socket received since its last send (Gatling empties that buffer on every
   * send, and runs a user's actions and its socket's events on one thread, so none is missed): each must be
   * addressed to this user and come from its partner.
   */
  private Session checkAddressees(List<WsInboundMessage> inbound, Session s) {
    String partnerId = s.getString("peerId");
    for (WsInboundMessage m : inbound) {
      if (m instanceof WsInboundMessage.Text t && isStreamFrame(t.message())) {
        String text = t.message();
        Stats.inc("addressees.checked");
        if (number(text, text.indexOf("\"r\":") + 4) != s.userId()
            || number(text, text.indexOf("\"s\":") + 4) != Pairs.partner(s)
            || !partnerId.equals(quoted(text, target.senderField()))) {
          Stats.inc("misdelivered");
          Stats.put("misdelivered.example", "user " + s.userId() + " got " + text);
        }
      }
    }
    return s;
  }

  /** The string value of a top-level {@code "key":"value"} pair, or null. */
  private static String quoted(String text, String key) {
    int at = text.indexOf("\"" + key + "\":\"");
    if (at < 0) {
      return null;
    }
    int from = at + key.length() + 4;
    return text.substring(from, text.indexOf('"', from));
  }

  private static long number(String text, int from) {
    long v = 0;
    boolean negative = text.charAt(from) == '-';
    for (int i = negative ? from + 1 : from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
    }
    return negative ? -v : v;
  }

  private String frame(Session s, int step) {
    long seq = s.contains("seq") ? s.getLong("seq") : 0;
    String head = "{\"k\":" + step + ",\"s\":" + s.userId() + ",\"r\":" + Pairs.partner(s) + ",\"q\":" + seq
      + ",\"t\":" + System.nanoTime() + ",\"p\":\"";
    String probe = target.directed("message", s.getString("peerId"), "data", head + "\"}");
    int pad = Math.max(0, FRAME_BYTES - probe.length());
    Stats.inc("step." + step + ".sent");
    return target.directed("message", s.getString("peerId"), "data", head + "x".repeat(pad) + "\"}");
  }

  private long stepStart(int step) {
    return streamStartMs + step * stepSeconds * 1000L;
  }

  /** Interval between two frames of one session at step k. */
  private Duration interval(int step) {
    return Duration.ofNanos((long) (1e9 * sessions / rates.get(step)));
  }

  private ChainBuilder stream() {
    ChainBuilder chain = exec(s -> s.set("seq", 0L));
    for (int k = 0; k < rates.size(); k++) {
      int step = k;
      chain = chain
        // start each session at its own offset within the interval, so the total rate is smooth
        .pause(s -> Duration.ofMillis(Math.max(0, stepStart(step) - System.currentTimeMillis()))
          .plus(interval(step).multipliedBy(s.userId() % sessions).dividedBy(sessions)))
        .asLongAs(s -> System.currentTimeMillis() < stepStart(step + 1), "i" + step).on(
          pace(interval(step), "p" + step)
            .exec(ws.processUnmatchedMessages(this::checkAddressees))
            .exec(ws("send").sendText(s -> frame(s, step)))
            .exec(s -> s.set("seq", s.getLong("seq") + 1)));
    }
    return chain;
  }

  {
    Pairs p = new Pairs(target, timeout);
    ChainBuilder waitAll = exec(s -> {
      Stats.inc("joined");
      if (Stats.count("joined") == sessions) {
        streamStartMs = System.currentTimeMillis() + 1000;
        Stats.put("stream.start", streamStartMs);
      }
      return s;
    }).asLongAs(s -> streamStartMs == 0, "waitAll").on(pause(Duration.ofMillis(50)));
    ChainBuilder body = stream()
      .pause(Duration.ofMillis(drainMs))
      .exec(ws.processUnmatchedMessages(this::checkAddressees));
    ScenarioBuilder relay = scenario(scenarioName())
      .doIfOrElse(Pairs::isCaller)
      .then(p.callerJoin("sr").exec(waitAll).exec(body).exec(ws("close").close()))
      .orElse(p.calleeJoin("sr", List.of()).exec(waitAll).exec(body).exec(ws("close").close()));

    addVerdicts();
    setUp(relay.injectOpen(rampUsers(sessions).during(Duration.ofMillis(Math.max(1000, sessions * 2L))))
      .andThen(verdictUser()))
      .protocols(protocol(INBOUND_BUFFER, SteadyRelay::onFrame))
      .assertions(global().failedRequests().count().is(0L));
  }

  protected long sent(int k) {
    return Stats.count("step." + k + ".sent");
  }

  protected long received(int k) {
    return Stats.count("step." + k + ".received");
  }

  protected boolean passes(int k) {
    return sent(k) > 0 && sent(k) == received(k)
      && Stats.histogram("lat." + k).percentileMicros(99) < boundMs * 1000;
  }

  protected long reordered(int k) {
    return Stats.count("step." + k + ".reordered");
  }

  protected void addVerdicts() {
    lossAndOrderVerdicts();
    addresseeVerdicts();
    verdict("verdict: p99 under " + boundMs + " ms", () -> {
      for (int k = 0; k < rates.size(); k++) {
        if (Stats.histogram("lat." + k).percentileMicros(99) >= boundMs * 1000) {
          return false;
        }
      }
      return true;
    });
  }

  /** In every step: frames were sent, each of them was received, and each sender's frames arrived in order. */
  protected final void lossAndOrderVerdicts() {
    verdict("verdict: no frame lost", () -> {
      for (int k = 0; k < rates.size(); k++) {
        if (sent(k) == 0 || sent(k) != received(k)) {
          return false;
        }
      }
      return true;
    });
    verdict("verdict: every frame in order", () -> {
      for (int k = 0; k < rates.size(); k++) {
        if (reordered(k) != 0) {
          return false;
        }
      }
      return true;
    });
  }

  /** Every frame received was checked by the socket that received it, and none reached a session it was not for. */
  protected final void addresseeVerdicts() {
    verdict("verdict: every frame received had its addressee checked", () -> {
      long received = 0;
      for (int k = 0; k < rates.size(); k++) {
        received += received(k);
      }
      return Stats.count("addressees.checked") == received;
    });
    verdict("verdict: no frame misdelivered", () -> Stats.count("misdelivered") == 0);
  }

  @Override
  public void after() {
    Stats.put("scenario", scenarioName());
    Stats.put("sessions", sessions);
    Stats.put("steps", rates.size());
    double best = 0;
    for (int k = 0; k < rates.size(); k++) {
      long received = received(k);
      Stats.put("step." + k + ".rate", rates.get(k));
      Stats.put("step." + k + ".start", stepStart(k));
      Stats.put("step." + k + ".end", stepStart(k + 1));
      Stats.put("step." + k + ".lost", sent(k) - received);
      Stats.put("step." + k + ".reordered", reordered(k));
      Stats.histogram("lat." + k);
      if (passes(k)) {
        best = Math.max(best, received / (double) stepSeconds);
      }
    }
    Stats.put("best.rate", String.format(java.util.Locale.ROOT, "%.0f", best));
    Stats.put("misdelivered", Stats.count("misdelivered"));
    Stats.put("addressees.checked", Stats.count("addressees.checked"));
    int last = rates.size() - 1;
    Stats.put("window.start", stepStart(0));
    Stats.put("window.end", stepStart(rates.size()));
    Stats.put("frames", received(last));
    Stats.put("p50_ms", Stats.ms(Stats.histogram("lat." + last).percentileMicros(50)));
    Stats.put("p99_ms", Stats.ms(Stats.histogram("lat." + last).percentileMicros(99)));
    Stats.put("extra", "rate=" + rates.get(last) + " sent=" + sent(last) + " lost=" + (sent(last) - received(last))
      + " reordered=" + reordered(last) + " misdelivered=" + Stats.count("misdelivered")
      + " addressees_checked=" + Stats.count("addressees.checked"));
    super.after();
  }
}
