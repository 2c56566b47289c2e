package io.switchboard.relay.server;

import io.switchboard.relay.allocation.ClientPath;
import io.switchboard.relay.proto.StunMessage;

/** One authenticated TURN request, as the dispatch table hands it to its handler. */
record TurnRequest(StunMessage message, ClientPath client, TurnAuthentication.Auth auth, long nowNanos) {
}
