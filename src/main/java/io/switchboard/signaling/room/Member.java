package io.switchboard.signaling.room;

/** A participant and the endpoint that reaches its session. */
public record Member(Participant participant, SessionEndpoint endpoint) {
}
