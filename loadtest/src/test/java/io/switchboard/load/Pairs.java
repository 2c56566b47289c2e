package io.switchboard.load;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.WsFrameCheck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * Virtual users in pairs: users 2k+1 (caller) and 2k+2 (callee) form pair k, each pair in its own room. Gatling
 * has no rendezvous between users, so the partner is derived from the user id and the order is made explicit:
 * the caller connects first and publishes its readiness when its {@code welcome}/{@code OPEN} arrives (a side
 * effect of that check); the callee connects only then, so its {@code welcome.peers} names the caller and the
 * caller's {@code peer-joined} names the callee. Against PeerJS (no presence), the callee tells the caller it is
 * there with one relayed frame. Every frame a user must receive is awaited by a check armed on the action that
 * precedes it (on the connect itself where needed), so nothing arrives between actions unobserved.
 *
 * <p>{@code -Dspread=cross} puts the two users of a pair on different nodes (caller on node k, callee on node
 * k+1); {@code -Dspread=colocated} puts a pair on one node and spreads pairs round robin.
 */
public final class Pairs {

  private final Target target;
  private final Duration timeout;
  private final boolean cross;

  public Pairs(Target target, Duration timeout) {
    this.target = target;
    this.timeout = timeout;
    this.cross = Params.string("spread", target.nodes.size() > 1 ? "cross" : "colocated").equals("cross");
  }

  public static long pair(Session s) {
    return (s.userId() - 1) / 2;
  }

  public static boolean isCaller(Session s) {
    return (s.userId() - 1) % 2 == 0;
  }

  /** The user id of the other user of this pair. */
  public static long partner(Session s) {
    return isCaller(s) ? s.userId() + 1 : s.userId() - 1;
  }

  private int node(Session s) {
    long pair = pair(s);
    return (int) (cross && !isCaller(s) ? pair + 1 : pair);
  }

  private String url(Session s, String roomPrefix) {
    return target.connectUrl(s, node(s), roomPrefix + "-" + pair(s), "publisher");
  }

  /** The caller's join: connected, and {@code peerId} names the callee, who is connected too. */
  public ChainBuilder callerJoin(String roomPrefix) {
    var publishReady = jsonPath("$.type").transformWithSession((type, s) -> {
      Stats.ready(pair(s), target.identity(s.userId()));
      return type;
    });
    if (target.switchboard()) {
      return exec(ws("caller connect").connect(s -> url(s, roomPrefix))
        .await(timeout).on(
          ws.checkTextMessage("caller welcome").check(jsonPath("$.type").is("welcome")).check(publishReady.is("welcome")),
          ws.checkTextMessage("caller peer-joined").matching(jsonPath("$.type").is("peer-joined"))
            .check(jsonPath("$.peer.id").saveAs("peerId"))));
    }
    return exec(ws("caller connect").connect(s -> url(s, roomPrefix))
      .await(timeout).on(
        ws.checkTextMessage("caller open").check(publishReady.is("OPEN")),
        ws.checkTextMessage("caller peer ready").matching(jsonPath("$.payload.ready").exists())
          .check(jsonPath("$.src").saveAs("peerId"))));
  }

  /**
   * The callee's join: waits for the caller, connects, learns the caller's id; {@code thenAwait} are the checks
   * for the first frames the caller will send (armed before the caller can send them).
   */
  public ChainBuilder calleeJoin(String roomPrefix, List<WsFrameCheck> thenAwait) {
    ChainBuilder waitForCaller = asLongAs(s -> !Stats.isReady(pair(s)), "waitCaller").on(pause(Duration.ofMillis(2)));
    if (target.switchboard()) {
      List<WsFrameCheck> checks = new ArrayList<>();
      checks.add(ws.checkTextMessage("callee welcome").check(jsonPath("$.type").is("welcome"))
        .check(jsonPath("$.peers[0].id").saveAs("peerId")));
      checks.addAll(thenAwait);
      return waitForCaller.exec(ws("callee connect").connect(s -> url(s, roomPrefix)).await(timeout).on(checks));
    }
    ChainBuilder connect = waitForCaller
      .exec(s -> s.set("peerId", Stats.readyId(pair(s))))
      .exec(ws("callee connect").connect(s -> url(s, roomPrefix))
        .await(timeout).on(ws.checkTextMessage("callee open").check(jsonPath("$.type").is("OPEN"))));
    var ready = ws("callee ready").sendText(s -> target.directed("message", s.getString("peerId"), "ready", "true"));
    return thenAwait.isEmpty() ? connect.exec(ready) : connect.exec(ready.await(timeout).on(thenAwait));
  }
}
