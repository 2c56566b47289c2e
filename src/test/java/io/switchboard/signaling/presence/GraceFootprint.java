package io.switchboard.signaling.presence;

import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.session.Ids;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

import java.util.Locale;

/**
 * Retained size of what presence itself adds for one session in its grace period, measured with JOL, for
 * loadtest/resume-cost.sh (not a test): the {@link GraceBuffer} (empty, and holding ten ~1 KiB frames) with its
 * overflow callback, and the session's {@link Seat} as the local room store keeps it (the Hazelcast store keeps it
 * serialized). Shared objects (the stats, the engine the callback points to) are not counted. What the dropped
 * connection's own objects still hold is not here: the heap figures of {@code ResumeBench memory} include it.
 *
 * <pre>java ... io.switchboard.signaling.presence.GraceFootprint</pre>
 */
public final class GraceFootprint {

  private GraceFootprint() {
  }

  // a command-line program: its lines are what loadtest/resume-cost.sh reports
  @SuppressWarnings("checkstyle:forbiddenOutput")
  public static void main(String[] args) {
    System.out.println("# " + VM.current().details().lines().findFirst().orElse("").trim());
    GraceStats stats = new GraceStats();
    Object engine = new Object();
    String room = "room-" + Ids.random(6);
    String sessionId = Ids.random(16);
    Runnable onOverflow = () -> overflowed(engine, room, sessionId);

    GraceBuffer empty = new GraceBuffer(256, 256 * 1024, null, onOverflow, stats);
    long bufferEmpty = retained(empty, stats, engine, room, sessionId);

    GraceBuffer full = new GraceBuffer(256, 256 * 1024, null, onOverflow, stats);
    String frame = "{\"from\":\"" + Ids.random(16) + "\",\"type\":\"message\",\"data\":\"" + "x".repeat(964) + "\"}";
    for (int i = 0; i < 10; i++) {
      full.deliver(new String(frame.toCharArray())); // ten distinct strings, as ten relayed frames are
    }
    long bufferTen = retained(full, stats, engine, room, sessionId);

    MemberRecord member = new MemberRecord(sessionId, "alice@example.org", "Alice", "publisher", "{}", "node-1");
    Seat seat = Seat.connected(member, Ids.random(32)).suspended(LeaveReason.DISCONNECTED,
      System.currentTimeMillis() + 20_000);
    long seatSize = GraphLayout.parseInstance(seat).subtract(GraphLayout.parseInstance(LeaveReason.DISCONNECTED))
      .totalSize();

    System.out.printf(Locale.ROOT, "footprint grace_buffer_empty_b=%d grace_buffer_10_frames_b=%d frame_utf8_b=%d "
      + "seat_b=%d%n", bufferEmpty, bufferTen, frame.length(), seatSize);
    System.out.println(GraphLayout.parseInstance(full).subtract(shared(stats, engine, room, sessionId)).toFootprint());
    System.out.println(GraphLayout.parseInstance(seat).toFootprint());
  }

  private static long retained(GraceBuffer buffer, Object... shared) {
    return GraphLayout.parseInstance(buffer).subtract(shared(shared)).totalSize();
  }

  private static GraphLayout shared(Object... shared) {
    return GraphLayout.parseInstance(shared); // each element is a root
  }

  private static void overflowed(Object engine, String room, String sessionId) {
    // stands for PresenceEngine.overflowed: only the captured references matter here
  }
}
