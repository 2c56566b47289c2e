package io.switchboard.relay.proto;

/** A datagram that is not a well-formed STUN message or ChannelData frame. Carries no stack trace: it is routine. */
public final class MalformedMessageException extends RuntimeException {

  public MalformedMessageException(String message) {
    super(message, null, false, false);
  }
}
