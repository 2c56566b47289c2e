package io.switchboard.auth;

import io.vertx.core.json.JsonObject;

/**
 * What a verified token says. For an admin token {@code room} may be null.
 *
 * @param role  {@code publisher} or {@code viewer}
 * @param meta  never null; at most 1 KiB encoded
 * @param admin the token carries {@code "admin": true}
 */
public record Claims(String subject, String room, String name, String role, JsonObject meta, boolean admin,
                     long expiresAtEpochSeconds) {
}
