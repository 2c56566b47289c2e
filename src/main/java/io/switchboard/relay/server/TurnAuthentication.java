package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.switchboard.relay.policy.Authenticator;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ErrorCodeAttribute;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageIntegrity;
import io.switchboard.relay.proto.MessageIntegritySha256;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.Nonce;
import io.switchboard.relay.proto.PasswordAlgorithm;
import io.switchboard.relay.proto.PasswordAlgorithms;
import io.switchboard.relay.proto.Realm;
import io.switchboard.relay.proto.StunError;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.Username;

import java.net.InetSocketAddress;

/**
 * The long-term credential mechanism (RFC 8489 section 9.2): checks USERNAME, REALM, NONCE, the password
 * algorithm and MESSAGE-INTEGRITY(-SHA256) against the {@link Authenticator}, and answers what fails with a
 * budgeted challenge (401/438 with REALM, a fresh NONCE and PASSWORD-ALGORITHMS) or 400.
 */
final class TurnAuthentication {

  /** Password algorithms offered in challenges, in order of preference (RFC 8489 section 14.11). */
  private static final int[] PASSWORD_ALGORITHMS = {PasswordAlgorithm.MD5, PasswordAlgorithm.SHA256};

  /** A request that passed the long-term credential check: answers to it are signed with {@code key}. */
  record Auth(String username, byte[] key, boolean sha256, Authenticator.Credential credential) {
  }

  private final RelayServices services;
  private final RelayEvents events;
  private final Responder responder;

  TurnAuthentication(RelayServices services, Responder responder) {
    this.services = services;
    this.events = services.events();
    this.responder = responder;
  }

  /** The verified credentials of {@code message}, or null after answering it with a challenge or an error. */
  Auth authenticate(StunMessage message, InetSocketAddress client, long now) {
    boolean sha1 = MessageIntegrity.present(message);
    boolean sha256 = MessageIntegritySha256.present(message);
    if (!sha1 && !sha256) {
      events.challenged();
      challenge(message, client, now, StunError.UNAUTHORIZED);
      return null;
    }
    String username = Username.read(message);
    String realm = Realm.read(message);
    String nonce = Nonce.read(message);
    if (username == null || realm == null || nonce == null) {
      events.authFailure(RelayEvents.AuthFailure.BAD_REQUEST, client);
      responder.unauthenticatedError(message, client, now, StunError.BAD_REQUEST, null);
      return null;
    }
    if (services.nonces().check(nonce, client) != NonceService.Check.VALID) {
      events.authFailure(RelayEvents.AuthFailure.STALE_NONCE, client);
      challenge(message, client, now, StunError.STALE_NONCE);
      return null;
    }
    if (!realm.equals(services.config().realm())) {
      events.authFailure(RelayEvents.AuthFailure.WRONG_REALM, client);
      challenge(message, client, now, StunError.UNAUTHORIZED);
      return null;
    }
    int algorithm = PasswordAlgorithm.read(message);
    boolean offered = message.has(AttributeType.PASSWORD_ALGORITHMS);
    if (algorithm >= 0 || offered) {
      // RFC 8489 section 9.2.4: both or neither, the list exactly as we sent it, and a choice from it
      if (algorithm < 0 || !offered || !PasswordAlgorithms.valueEquals(message, PASSWORD_ALGORITHMS)
        || (algorithm != PasswordAlgorithm.MD5 && algorithm != PasswordAlgorithm.SHA256)) {
        events.authFailure(RelayEvents.AuthFailure.BAD_REQUEST, client);
        responder.unauthenticatedError(message, client, now, StunError.BAD_REQUEST, null);
        return null;
      }
    } else {
      algorithm = PasswordAlgorithm.MD5;
    }
    Authenticator.Credential credential = services.authenticator().credential(username, realm, algorithm);
    if (credential == null) {
      events.authFailure(RelayEvents.AuthFailure.UNKNOWN_USER, client);
      challenge(message, client, now, StunError.UNAUTHORIZED);
      return null;
    }
    if (services.revocations().revoked(username)) {
      events.authFailure(RelayEvents.AuthFailure.REVOKED, client);
      challenge(message, client, now, StunError.UNAUTHORIZED);
      return null;
    }
    for (byte[] key : credential.keys()) {
      boolean verified = sha256 ? MessageIntegritySha256.verify(message, key) : MessageIntegrity.verify(message, key);
      if (verified) {
        return new Auth(username, key, sha256, credential);
      }
    }
    events.authFailure(RelayEvents.AuthFailure.BAD_INTEGRITY, client);
    challenge(message, client, now, StunError.UNAUTHORIZED);
    return null;
  }

  /**
   * 401 or 438 with REALM, a fresh NONCE and PASSWORD-ALGORITHMS; no SOFTWARE, so the answer stays small.
   * Budgeted per source address.
   */
  void challenge(StunMessage message, InetSocketAddress client, long now, StunError error) {
    if (!responder.withinBudget(client, now)) {
      return;
    }
    events.errorAnswered(error);
    ByteBuf out = responder.buffer(160);
    MessageWriter writer = MessageWriter.answer(out, message, MessageClass.ERROR);
    ErrorCodeAttribute.write(writer, error);
    Realm.write(writer, services.config().realm());
    Nonce.write(writer, services.nonces().issue(client));
    PasswordAlgorithms.write(writer, PASSWORD_ALGORITHMS);
    writer.fingerprint();
    responder.send(out, client);
  }
}
