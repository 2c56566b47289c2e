package io.switchboard.signaling.protocol;

/**
 * A validated client frame: what the server needs to route it, plus where {@code to} sits in the original
 * bytes so the relayed copy can be made by splicing instead of re-encoding.
 *
 * @param to          target session id, or null for a broadcast {@code message} (and for ping/leave)
 * @param toMemberStart byte offset of the {@code "to"} member's name, -1 when absent
 * @param toMemberEnd   byte offset just after the {@code to} value
 */
public record ClientFrame(FrameType type, String to, String ref, int toMemberStart, int toMemberEnd) {

  public boolean directed() {
    return to != null;
  }
}
