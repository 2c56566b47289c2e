package io.switchboard.relay.policy;

/** Hands out relay ports (coturn's {@code min-port}/{@code max-port}). Shared by all relay instances of a node. */
public interface RelayPortAllocator {

  /** A port not handed out yet ({@code even}: an even one), or -1 when none is left. */
  int acquire(boolean even);

  /** An even port whose odd neighbour is free too, both taken (EVEN-PORT with the R bit), or -1. */
  int acquireEvenPair();

  /** Returns a port: its socket is closed, or binding it failed. */
  void release(int port);
}
