package io.switchboard.relay.server;

import io.switchboard.relay.proto.StunMessage;

import java.net.InetSocketAddress;

/** One authenticated TURN request, as the dispatch table hands it to its handler. */
record TurnRequest(StunMessage message, InetSocketAddress client, TurnAuthentication.Auth auth, long nowNanos) {
}
