package io.switchboard.bus;

/** Every event-bus address Switchboard uses, in one place. All are node-local for now. */
public final class Addresses {

  /** Token verification requests, answered by the auth verticle. */
  public static final String AUTH_VERIFY = "switchboard.auth.verify";
  /** Room presence commands (join, leave, kick, queries), answered by the presence verticle. */
  public static final String PRESENCE = "switchboard.presence";

  private Addresses() {
  }
}
