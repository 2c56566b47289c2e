package io.switchboard.load;

/** The bodies a call setup carries: a 3 KB SDP and ~150 B ICE candidates (JSON-ready, and as received). */
public final class Payloads {

  private Payloads() {
  }

  /** A JSON string literal (quotes included) of about 3,000 characters shaped like an SDP offer/answer. */
  public static String sdp(String kind) {
    return "\"" + escapedSdp(kind) + "\"";
  }

  /** The text {@link #sdp} stands for: what a receiver must find in the frame, character for character. */
  public static String sdpText(String kind) {
    return escapedSdp(kind).replace("\\r", "\r").replace("\\n", "\n");
  }

  private static String escapedSdp(String kind) {
    StringBuilder sdp = new StringBuilder("v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\n")
      .append("s=-\\r\\nt=0 0\\r\\n")
      .append("a=group:BUNDLE 0 1\\r\\na=extmap-allow-mixed\\r\\na=msid-semantic: WMS\\r\\n")
      .append("a=x-kind:").append(kind).append("\\r\\n");
    int line = 0;
    while (sdp.length() < 2950) {
      sdp.append("a=rtpmap:").append(96 + line % 30).append(" VP8/90000\\r\\na=rtcp-fb:").append(96 + line % 30)
        .append(" nack pli\\r\\n");
      line++;
    }
    String body = sdp.substring(0, 2950);
    // never end on half of an escape (the text is made of \r\n escapes)
    return body.endsWith("\\") ? body.substring(0, body.length() - 1) : body;
  }

  /** A candidate object of about 150 bytes; {@code n} makes each one distinct. */
  public static String candidate(int n) {
    return "{\"candidate\":\"" + candidateLine(n) + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}";
  }

  /** The {@code candidate} string of candidate {@code n} (no character in it needs escaping). */
  public static String candidateLine(int n) {
    return "candidate:84216304" + n + " 1 udp 1677729535 192.0.2." + (10 + n)
      + " 5" + (1000 + n) + " typ srflx raddr 10.0.0.2 rport 50000 generation 0";
  }
}
