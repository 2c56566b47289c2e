package io.switchboard.oneport;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.tls.PemFileWatcher;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What one-port mode needs from the node: where to listen, the HTTP port's certificate and its renewals, the HTTP
 * server's private socket, and how long a connection may take to finish its handshake and say its first bytes.
 */
public record OnePortSetup(SwitchboardConfig.OnePort config, PemFileWatcher certificate, Path internalHttpSocket,
                           Duration firstBytesTimeout) {
}
