package io.switchboard.bench;

import io.switchboard.testing.Http;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.switchboard.bench.ResumeBench.await;
import static io.switchboard.bench.ResumeBench.sleep;
import static io.switchboard.bench.ResumeBench.token;

/**
 * Reproduces a suspected bug found while measuring resume (not a test; it prints what happens). Two nodes, grace
 * period 5 s: alice on A, bob on B. A gets SIGKILL; once B has handled the loss (B, the oldest member now, ran the
 * purge and timed the end of alice's grace period), alice resumes on B. Right after, frames flow both ways. Once the
 * grace period the purge timed has passed, B's timer fires: the store's {@code Expire} finds alice connected and
 * changes nothing, and {@code PresenceEngine.expire} takes "unchanged, no grace end" for "the store lost it" and
 * removes alice from B's replica: bob receives {@code peer-left} (disconnected) and {@code unknown-peer} when he
 * writes to her, and nothing reaches her any more, while her own frames still go out and the store still lists her.
 *
 * <pre>java ... io.switchboard.bench.StaleGraceTimer</pre>
 */
public final class StaleGraceTimer {

  private StaleGraceTimer() {
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    WebSocketClient client = vertx.createWebSocketClient();
    Map<String, String> env = new HashMap<>(ResumeBench.RAISED_LIMITS);
    env.put("SWITCHBOARD_ROOMS_GRACE_PERIOD_SECONDS", "5");
    try (BenchCluster cluster = BenchCluster.start(2, env, null)) {
      NodeProcess a = cluster.node(0);
      NodeProcess b = cluster.node(1);
      String room = TestNode.unique("room");
      List<String> toAlice = new CopyOnWriteArrayList<>();
      List<String> toBob = new CopyOnWriteArrayList<>();
      BenchClient alice = await(BenchClient.open(client, a.port(), token("alice", room), null, null, null), 10);
      BenchClient bob = await(BenchClient.open(client, b.port(), token("bob", room), null,
        f -> toBob.add(f.encode()), null), 10);
      sleep(500);
      cluster.kill(0);
      String lossLine = "cluster member " + a.nodeId() + " left";
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (BenchCluster.logTime(b, lossLine) < 0 && System.nanoTime() < deadline) {
        sleep(20);
      }
      sleep(500);
      BenchClient back = await(BenchClient.open(client, b.port(), token("alice", room), alice.resumeToken(),
        f -> toAlice.add(f.encode()), null), 10);
      System.out.println("alice resumed on B: " + back.resumed() + ", same id: " + back.id().equals(alice.id()));
      toBob.clear();
      exchange(bob, back, "right after the resume", toAlice, toBob);
      sleep(7000);
      exchange(bob, back, "7 s later (past the 5 s grace period the purge timed), with what came in between",
        toAlice, toBob);
      System.out.println("the store says: "
        + Http.get(b.port(), "/api/rooms/" + room, TestTokens.admin()).body());
      ResumeBench.printProblems(cluster);
    }
    await(vertx.close(), 10);
    System.exit(0);
  }

  private static void exchange(BenchClient bob, BenchClient alice, String when, List<String> toAlice,
                               List<String> toBob) {
    bob.send(new JsonObject().put("type", "message").put("to", alice.id()).put("data", "bob to alice"));
    alice.send(new JsonObject().put("type", "message").put("to", bob.id()).put("data", "alice to bob"));
    sleep(1000);
    System.out.println(when + ":\n  alice got " + toAlice + "\n  bob got   " + toBob);
    toAlice.clear();
    toBob.clear();
  }
}
