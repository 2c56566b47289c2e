package io.switchboard.auth;

/** The kind of token a caller needs: a participant's (to join), an admin's, or either. */
public enum TokenKind { PARTICIPANT, ADMIN, ANY }
