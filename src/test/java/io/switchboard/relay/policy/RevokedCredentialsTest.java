package io.switchboard.relay.policy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("RevokedCredentials: revoked until they expire, and bounded")
class RevokedCredentialsTest {

  @Test
  @DisplayName("a revoked username stays revoked until its credential expires, then the entry goes")
  void untilExpiry() {
    RevokedCredentials revoked = new RevokedCredentials();
    revoked.revoke("1000:alice", 1000);
    assertTrue(revoked.revoked("1000:alice"));
    assertFalse(revoked.revoked("1001:alice"), "another credential of the same identity is not revoked");
    revoked.sweep(999);
    assertTrue(revoked.revoked("1000:alice"));
    revoked.sweep(1000);
    assertFalse(revoked.revoked("1000:alice"));
    assertEquals(0, revoked.size());
  }

  @Test
  @DisplayName("beyond the bound, the entry that expires first makes room")
  void bounded() {
    RevokedCredentials revoked = new RevokedCredentials();
    for (int i = 0; i < RevokedCredentials.MAX_ENTRIES; i++) {
      revoked.revoke((5000 + i) + ":u" + i, 5000 + i);
    }
    revoked.revoke("9999999:last", 9_999_999);
    assertEquals(RevokedCredentials.MAX_ENTRIES, revoked.size());
    assertFalse(revoked.revoked("5000:u0"), "the earliest expiry went first");
    assertTrue(revoked.revoked("9999999:last"));
  }
}
