package io.switchboard.relay.server;

import io.netty.buffer.ByteBuf;
import io.switchboard.relay.allocation.ClientPath;
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

  /** What a request claims, once its NONCE is valid and its REALM ours. */
  private record Claim(String username, String realm, int passwordAlgorithm) {
  }

  /** The verified credentials of {@code message}, or null after answering it with a challenge or an error. */
  Auth authenticate(StunMessage message, ClientPath client, long now) {
    boolean sha256 = MessageIntegritySha256.present(message);
    if (!sha256 && !MessageIntegrity.present(message)) {
      events.challenged();
      challenge(message, client, now, StunError.UNAUTHORIZED);
      return null;
    }
    Claim claim = claim(message, client, now);
    return claim == null ? null : verify(message, client, now, claim, sha256);
  }

  /**
   * USERNAME, REALM and NONCE present (else 400), the nonce valid (else 438), the realm ours (else 401), and the
   * password algorithm (else 400); null after answering.
   */
  private Claim claim(StunMessage message, ClientPath client, long now) {
    String username = Username.read(message);
    String realm = Realm.read(message);
    String nonce = Nonce.read(message);
    if (username == null || realm == null || nonce == null) {
      refuseMalformed(message, client, now);
      return null;
    }
    if (services.nonces().check(nonce, client.address()) != NonceService.Check.VALID) {
      refuseWithChallenge(message, client, now, RelayEvents.AuthFailure.STALE_NONCE, StunError.STALE_NONCE);
      return null;
    }
    if (!realm.equals(services.config().realm())) {
      refuseWithChallenge(message, client, now, RelayEvents.AuthFailure.WRONG_REALM, StunError.UNAUTHORIZED);
      return null;
    }
    int algorithm = passwordAlgorithm(message);
    if (algorithm < 0) {
      refuseMalformed(message, client, now);
      return null;
    }
    return new Claim(username, realm, algorithm);
  }

  /**
   * RFC 8489 section 9.2.4: PASSWORD-ALGORITHM and PASSWORD-ALGORITHMS both or neither (neither means MD5), the
   * list exactly as we sent it, and a choice from it; -1 otherwise.
   */
  private static int passwordAlgorithm(StunMessage message) {
    int algorithm = PasswordAlgorithm.read(message);
    boolean offered = message.has(AttributeType.PASSWORD_ALGORITHMS);
    if (algorithm < 0 && !offered) {
      return PasswordAlgorithm.MD5;
    }
    boolean valid = algorithm >= 0 && offered && PasswordAlgorithms.valueEquals(message, PASSWORD_ALGORITHMS)
      && (algorithm == PasswordAlgorithm.MD5 || algorithm == PasswordAlgorithm.SHA256);
    return valid ? algorithm : -1;
  }

  /** The claimed user's credential, not revoked, with a key that verifies the MESSAGE-INTEGRITY(-SHA256). */
  private Auth verify(StunMessage message, ClientPath client, long now, Claim claim, boolean sha256) {
    Authenticator.Credential credential = services.authenticator()
      .credential(claim.username(), claim.realm(), claim.passwordAlgorithm());
    if (credential == null) {
      refuseWithChallenge(message, client, now, RelayEvents.AuthFailure.UNKNOWN_USER, StunError.UNAUTHORIZED);
      return null;
    }
    if (services.revocations().revoked(claim.username())) {
      refuseWithChallenge(message, client, now, RelayEvents.AuthFailure.REVOKED, StunError.UNAUTHORIZED);
      return null;
    }
    for (byte[] key : credential.keys()) {
      boolean verified = sha256 ? MessageIntegritySha256.verify(message, key) : MessageIntegrity.verify(message, key);
      if (verified) {
        return new Auth(claim.username(), key, sha256, credential);
      }
    }
    refuseWithChallenge(message, client, now, RelayEvents.AuthFailure.BAD_INTEGRITY, StunError.UNAUTHORIZED);
    return null;
  }

  /** A malformed request: counted, and answered 400 without a challenge. */
  private void refuseMalformed(StunMessage message, ClientPath client, long now) {
    events.authFailure(RelayEvents.AuthFailure.BAD_REQUEST, client.address());
    responder.unauthenticatedError(message, client, now, StunError.BAD_REQUEST, null);
  }

  private void refuseWithChallenge(StunMessage message, ClientPath client, long now,
                                   RelayEvents.AuthFailure failure, StunError error) {
    events.authFailure(failure, client.address());
    challenge(message, client, now, error);
  }

  /**
   * 401 or 438 with REALM, a fresh NONCE and PASSWORD-ALGORITHMS; no SOFTWARE, so the answer stays small.
   * Budgeted per source address.
   */
  void challenge(StunMessage message, ClientPath client, long now, StunError error) {
    if (!responder.withinBudget(client, now)) {
      return;
    }
    events.errorAnswered(error);
    ByteBuf out = responder.buffer(160);
    MessageWriter writer = MessageWriter.answer(out, message, MessageClass.ERROR);
    ErrorCodeAttribute.write(writer, error);
    Realm.write(writer, services.config().realm());
    Nonce.write(writer, services.nonces().issue(client.address()));
    PasswordAlgorithms.write(writer, PASSWORD_ALGORITHMS);
    writer.fingerprint();
    responder.send(out, client);
  }
}
