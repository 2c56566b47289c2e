package io.switchboard.signaling.session;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * What a session needs of its WebSocket. Every method is called on the socket's own event loop (the session's
 * {@code onLoop} hops there), and every {@link Listener} call arrives on it, so a socket needs no locks and no
 * outbound queue of its own.
 */
public interface SessionSocket {

  /** What the socket reports to its session. */
  interface Listener {

    /** A frame the client sent: data, ping, pong or close. Valid only during the call (its buffer is released). */
    void frame(WebSocketFrame frame);

    void failed(Throwable cause);

    /** The connection is gone; called once. */
    void closed();
  }

  /** Starts reporting to {@code listener}. The socket reads nothing until {@link #resume()}. */
  void listen(Listener listener);

  /** Reads frames from now on. */
  void resume();

  /**
   * Writes one text message.
   *
   * @param done runs on the loop once the message has left for the network, or failed to (null: nothing to run)
   */
  void writeText(String text, WriteDone done);

  /** How a write ended. */
  @FunctionalInterface
  interface WriteDone {
    /**
     * @param lost true when the connection was already gone (reset by the network before the session heard of it):
     *             the message never reached the client and may be kept for a resume
     */
    void done(boolean lost);
  }

  void ping();

  /** Starts the closing handshake with {@code code}; the connection goes once the client answers, or soon after. */
  void close(short code, String reason);
}
