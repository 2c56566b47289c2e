package io.switchboard.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Driving and checking per-room TURN usage: the TURN credential of an iceServers list, a turnutils_uclient run with
 * it, and the room's {@code turnUsage} in the admin API checked against what uclient reported.
 */
public final class TurnUsage {

  /** The relay's count of allocations opened. */
  public static final String OPENED = "switchboard_turn_allocations_opened_total";

  private TurnUsage() {
  }

  /** The TURN entry of an iceServers list. */
  public static JsonObject turnEntry(JsonArray iceServers) {
    return iceServers.stream().map(JsonObject.class::cast).filter(entry -> entry.containsKey("username"))
      .findFirst().orElseThrow();
  }

  /**
   * uclient with its own allocation per session and no RTCP companion ({@code -c}): {@code sessions} allocations,
   * {@code messages} datagrams of {@code length} bytes each way per session.
   */
  public static List<String> uclient(JsonObject turn, int relayPort, int port, int sessions, int messages, int length,
                              String... options) {
    List<String> command = new ArrayList<>(List.of("turnutils_uclient", "-c"));
    command.addAll(List.of(options));
    command.addAll(List.of("-u", turn.getString("username"), "-w", turn.getString("credential"), "-e", "127.0.0.1",
      "-r", Integer.toString(port), "-m", Integer.toString(sessions), "-n", Integer.toString(messages),
      "-l", Integer.toString(length), "-z", "5", "-p", Integer.toString(relayPort), "127.0.0.1"));
    return command;
  }

  /** The room's view from the admin API (200 expected) and its turnUsage. */
  public static JsonObject usage(int httpPort, String room) {
    Http.Response response = Http.get(httpPort, "/api/rooms/" + room, TestTokens.admin());
    assertEquals(200, response.status(), response.body());
    JsonObject view = response.json();
    assertNotNull(view.getJsonArray("participants"), "the room view keeps its fields: " + view);
    JsonObject usage = view.getJsonObject("turnUsage");
    assertNotNull(usage, view.encode());
    assertEquals(true, usage.getBoolean("complete"), usage.encode());
    return usage;
  }

  public static JsonObject participant(JsonObject usage, String identity) {
    return usage.getJsonArray("participants").stream().map(JsonObject.class::cast)
      .filter(p -> p.getString("identity").equals(identity)).findFirst()
      .orElseThrow(() -> new AssertionError(identity + " not in " + usage.encode()));
  }

  /** Checks one participant's counts against what uclient reported sending and receiving. */
  public static void assertParticipant(JsonObject usage, String identity, long allocations, long active,
                                CoturnTools.Result run, int length) {
    JsonObject entry = participant(usage, identity);
    long[] totals = run.totals();
    assertEquals(allocations, entry.getLong("allocations"), entry.encode());
    assertEquals(active, entry.getLong("activeAllocations"), entry.encode());
    assertEquals(totals[0] * length, entry.getLong("bytesToPeers"), entry.encode() + "\n" + run.output());
    assertEquals(totals[1] * length, entry.getLong("bytesFromPeers"), entry.encode() + "\n" + run.output());
    assertTrue(entry.getDouble("allocationSeconds") > 0, entry.encode());
  }

  public static CoturnTools.Result echoed(List<String> command, long expected) throws Exception {
    CoturnTools.Result run = CoturnTools.run(command);
    assertEquals(0, run.exit(), run.output());
    assertEquals(expected, run.totals()[0], run.output());
    assertEquals(expected, run.totals()[1], run.output());
    return run;
  }
}
